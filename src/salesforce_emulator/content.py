"""Salesforce Files: ContentVersion, ContentDocument and ContentDocumentLink behaviour.

A ContentVersion created without ContentDocumentId starts a new ContentDocument; with
one, it becomes that document's latest version. FirstPublishLocationId links the new
document to a record. Every new document is also linked to its owner, as in Salesforce.
"""

import base64
import binascii
from pathlib import PurePosixPath

from .errors import SalesforceError
from .files import FileStore, StoredBlob
from .records import RecordService
from .store import quote, table_name
from .values import to_storage

# File extension -> ContentVersion.FileType, for the types Salesforce names.
FILE_TYPES = {
    "pdf": "PDF", "doc": "WORD", "docx": "WORD_X", "xls": "EXCEL", "xlsx": "EXCEL_X",
    "ppt": "POWER_POINT", "pptx": "POWER_POINT_X", "txt": "TEXT", "csv": "CSV",
    "rtf": "RTF", "htm": "HTML", "html": "HTML", "xml": "XML", "zip": "ZIP",
    "png": "PNG", "jpg": "JPG", "jpeg": "JPEG", "gif": "GIF", "bmp": "BMP",
    "mp4": "MP4", "mp3": "MP3", "json": "JSON", "odt": "ODT",
}


def decode_version_data(value: object) -> bytes:
    """Decode the base64 VersionData of a JSON ContentVersion."""
    if not isinstance(value, str):
        raise SalesforceError(
            "JSON_PARSER_ERROR", "VersionData must be a base64-encoded string", fields=["VersionData"],
        )
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SalesforceError(
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of base64 from VALUE_STRING: VersionData is not valid base64",
            fields=["VersionData"],
        ) from None


class ContentService:
    """Create file versions and document links with the side effects Salesforce applies."""

    def __init__(self, records: RecordService, files: FileStore) -> None:
        self.records = records
        self.files = files
        self.store = records.store

    def create_version(self, values: dict, user_id: str, blob: StoredBlob | None) -> str:
        """Create a ContentVersion (and its ContentDocument and links); return its id.

        blob is the already stored body; when None, VersionData in values must carry the
        body as base64.
        """
        values = dict(values)
        if blob is None and values.get("VersionData") not in (None, ""):
            blob = self.files.write_bytes(decode_version_data(values["VersionData"]))
        values.pop("VersionData", None)

        try:
            return self._create_version(values, user_id, blob)
        except BaseException:
            if blob is not None:
                self.files.delete(blob.name)
            raise

    def _create_version(self, values: dict, user_id: str, blob: StoredBlob | None) -> str:
        object_def = self.records.schema.get("ContentVersion")
        location = values.get("ContentLocation") or "S"
        missing = []
        if location == "S" and blob is None:
            missing.append("VersionData")
        if location == "S" and not values.get("PathOnClient"):
            missing.append("PathOnClient")
        if missing:
            raise SalesforceError(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                fields=missing,
            )

        extension = PurePosixPath(str(values.get("PathOnClient") or "")).suffix.lstrip(".").lower()
        file_type = FILE_TYPES.get(extension, "UNKNOWN")
        document_field = object_def.field("ContentDocumentId")
        document_id = _value_of(values, "ContentDocumentId")

        with self.store.transaction() as connection:
            if document_id:
                document_id = to_storage(document_field, document_id)
                self.records.check_reference(connection, document_field, document_id)
                version_number = self._next_version_number(connection, document_id)
                values.pop(_key(values, "ContentDocumentId"))
                if _value_of(values, "FirstPublishLocationId"):
                    raise SalesforceError(
                        "FIELD_INTEGRITY_EXCEPTION",
                        "FirstPublishLocationId can be set only on the first version of a document",
                        fields=["FirstPublishLocationId"],
                    )
            else:
                version_number = 1
                document_id = self.records.create(
                    "ContentDocument", {}, user_id,
                    computed={"Title": values.get("Title"), "PublishStatus": "P",
                              "OwnerId": values.get("OwnerId") or user_id},
                )

            computed = {
                "ContentDocumentId": document_id,
                "VersionNumber": str(version_number),
                "IsLatest": 1,
                "FileExtension": extension or None,
                "FileType": file_type,
                "ContentSize": blob.size if blob else None,
                "Checksum": blob.md5 if blob else None,
                "VersionData": blob.name if blob else None,
            }
            connection.execute(
                f'UPDATE {table_name("ContentVersion")} SET "IsLatest" = 0 '  # noqa: S608 - schema names only, values bound
                f'WHERE "ContentDocumentId" = ?',
                (document_id,),
            )
            version_id = self.records.create("ContentVersion", values, user_id, computed=computed)
            version = self.store.fetch_row(connection, "ContentVersion", version_id)
            self._publish(connection, document_id, version, user_id)

            if version_number == 1:
                self._link(document_id, version["OwnerId"], "I", user_id)
                location_id = version["FirstPublishLocationId"]
                if location_id and location_id != version["OwnerId"]:
                    self._link(document_id, location_id, "V", user_id)
        return version_id

    @staticmethod
    def _next_version_number(connection, document_id: str) -> int:
        row = connection.execute(
            f'SELECT COUNT(*) FROM {table_name("ContentVersion")} WHERE "ContentDocumentId" = ?',  # noqa: S608 - schema names only, values bound
            (document_id,),
        ).fetchone()
        return row[0] + 1

    def _publish(self, connection, document_id: str, version, user_id: str) -> None:
        self.records.update("ContentDocument", document_id, {}, user_id, computed={
            "LatestPublishedVersionId": version["Id"],
            "Title": version["Title"],
            "FileType": version["FileType"],
            "FileExtension": version["FileExtension"],
            "ContentSize": version["ContentSize"],
            "ContentModifiedDate": version["ContentModifiedDate"],
        })

    def _link(self, document_id: str, entity_id: str, share_type: str, user_id: str) -> str:
        return self.records.create("ContentDocumentLink", {
            "ContentDocumentId": document_id,
            "LinkedEntityId": entity_id,
            "ShareType": share_type,
            "Visibility": "AllUsers",
        }, user_id)

    def create_link(self, values: dict, user_id: str) -> str:
        """Create a ContentDocumentLink, refusing a second link between the same pair."""
        with self.store.transaction() as connection:
            # Creating first lets field errors (such as a bad ShareType) win over the
            # duplicate check; the transaction undoes the insert if it is a duplicate.
            link_id = self.records.create("ContentDocumentLink", values, user_id)
            link = self.store.fetch_row(connection, "ContentDocumentLink", link_id)
            existing = connection.execute(
                f'SELECT "Id" FROM {table_name("ContentDocumentLink")} '  # noqa: S608 - schema names only, values bound
                f'WHERE {quote("ContentDocumentId")} = ? AND {quote("LinkedEntityId")} = ? '
                'AND "IsDeleted" = 0 AND "Id" != ?',
                (link["ContentDocumentId"], link["LinkedEntityId"], link_id),
            ).fetchone()
            if existing:
                raise SalesforceError(
                    "DUPLICATE_VALUE",
                    f"Document with ID: {link['ContentDocumentId']} is already linked with the "
                    f"entity with ID: {link['LinkedEntityId']}",
                    fields=["LinkedEntityId"],
                )
        return link_id

    def body_path(self, version_id: str):
        """Return the path of a ContentVersion's body, or raise NOT_FOUND."""
        object_def = self.records.schema.get("ContentVersion")
        version_id = self.records.normalize_id(version_id, object_def)
        with self.store.read() as connection:
            row = self.store.fetch_row(connection, "ContentVersion", version_id)
        if row is None or not row["VersionData"]:
            raise SalesforceError(
                "NOT_FOUND", "The requested resource does not exist", status=404,
            )
        return self.files.path(row["VersionData"])


def _key(values: dict, name: str) -> str | None:
    for key in values:
        if key.lower() == name.lower():
            return key
    return None


def _value_of(values: dict, name: str):
    key = _key(values, name)
    return values.get(key) if key else None
