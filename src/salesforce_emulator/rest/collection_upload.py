"""Stream a multipart sObject Collections insert (records with blob data) to the files folder.

The request has one non-binary part with `{"allOrNone": ..., "records": [...]}` and one
binary part per record that carries a file. A record names its part in
`attributes.binaryPartName` and the blob field in `attributes.binaryPartNameAlias`.
Binary parts are written to disk as they arrive, so no file is held whole in memory.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ..errors import SalesforceError
from ..files import BlobWriter, FileStore, StoredBlob
from .common import parse_json_body
from .multipart import PartHeaderCollector, multipart_error

# Salesforce's guide names the JSON part `collection`, but clients also send it under the
# names of the single-record upload, so all three are accepted.
JSON_PART_NAMES = ("collection", "entity_content", "entity_document")
# Salesforce's limit for the total size of all files in one sObject Collections request.
MAX_TOTAL_BYTES = 500 * 1024 ** 2
# A guard of the emulator, not a Salesforce limit: the JSON part carries field values of
# at most 200 records, so a larger part is a malformed request.
MAX_JSON_PART_BYTES = 10 * 1024 ** 2


@dataclass
class CollectionUpload:
    """A parsed upload: the JSON part's body and the stored binary parts by part name."""

    body: object
    blobs: dict[str, StoredBlob] = field(default_factory=dict)

    def discard(self, files: FileStore, part_names: list[str] | None = None) -> None:
        """Delete the stored bodies of the named parts, or of every part."""
        names = list(self.blobs) if part_names is None else part_names
        for name in names:
            blob = self.blobs.pop(name, None)
            if blob is not None:
                files.delete(blob.name)


class _CollectionUploadState(PartHeaderCollector):
    """Parser callbacks that keep the JSON part in memory and stream the others to disk."""

    def __init__(self, files: FileStore, check_body: Callable[[object], None]) -> None:
        super().__init__()
        self.files = files
        self.check_body = check_body
        self.json_buffer: bytearray | None = None
        self.writer: BlobWriter | None = None
        self.total_bytes = 0
        self.upload = CollectionUpload(body=None)
        self.json_seen = False

    def on_headers_finished(self) -> None:
        _disposition, options = parse_options_header(self.headers.get("content-disposition", b""))
        self.part_name = options.get(b"name", b"").decode("utf-8")
        content_type, _ = parse_options_header(self.headers.get("content-type", b""))
        is_json = self.part_name in JSON_PART_NAMES or (
            content_type == b"application/json" and b"filename" not in options
        )

        if is_json:
            if self.json_seen:
                raise multipart_error(
                    "The request has more than one non-binary part; send the records in one "
                    "JSON part named collection",
                )
            self.json_seen = True
            self.json_buffer = bytearray()
            return

        if not self.part_name:
            raise multipart_error("A binary part has no name in its Content-Disposition header")
        if self.part_name in self.upload.blobs:
            raise multipart_error(
                f"The request has more than one binary part named {self.part_name}; give each "
                "file its own part name",
            )
        self.writer = self.files.writer()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.json_buffer is not None:
            self.json_buffer += data[start:end]
            if len(self.json_buffer) > MAX_JSON_PART_BYTES:
                raise multipart_error(
                    f"The {self.part_name} part is larger than {MAX_JSON_PART_BYTES} bytes; "
                    "send file bodies in binary parts",
                )
            return

        if self.writer is not None:
            self.writer.write(data[start:end])
            self.total_bytes += end - start
            if self.total_bytes > MAX_TOTAL_BYTES:
                raise SalesforceError(
                    "MAXIMUM_SIZE_OF_DOCUMENT",
                    f"The files of this request total more than the maximum of {MAX_TOTAL_BYTES} "
                    "bytes (500 MB) for one sObject Collections request; split the records over "
                    "several requests",
                )

    def on_part_end(self) -> None:
        if self.json_buffer is not None:
            self.upload.body = parse_json_body(bytes(self.json_buffer), f"The {self.part_name} part")
            self.json_buffer = None
            # Checked at once, so a request with too many records fails before its files arrive.
            self.check_body(self.upload.body)
            return

        if self.writer is not None:
            self.upload.blobs[self.part_name] = self.writer.finish()
            self.writer = None

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
            self.writer = None
        self.upload.discard(self.files)


async def read_collection_upload(
    request: Request, files: FileStore, check_body: Callable[[object], None],
) -> CollectionUpload:
    """Parse a multipart sObject Collections insert and store its binary parts.

    check_body validates the JSON part as soon as it has arrived and raises to stop the
    upload. On any failure every part stored so far is deleted.
    """
    _content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not boundary:
        raise multipart_error("The multipart/form-data Content-Type header has no boundary")

    state = _CollectionUploadState(files, check_body)
    parser = MultipartParser(boundary, state.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as error:
        state.abort()
        raise multipart_error(f"The multipart body could not be parsed: {error}") from None
    except BaseException:
        state.abort()
        raise

    if state.writer is not None or state.json_buffer is not None:
        state.abort()
        raise multipart_error(
            f"The multipart body ends inside the part {state.part_name}; send the closing boundary",
        )
    if not state.json_seen:
        state.abort()
        raise multipart_error("Multipart message must include a non-binary part")
    return state.upload


def binary_part_names(records: list, upload: CollectionUpload) -> list[str | None]:
    """Return each record's binaryPartName (None for a record without one).

    Raise INVALID_MULTIPART_REQUEST when a named part is missing, named twice, or when a
    binary part is named by no record.
    """
    part_names: list[str | None] = []
    for index, record in enumerate(records):
        attributes = record.get("attributes") if isinstance(record, dict) else None
        part_name = attributes.get("binaryPartName") if isinstance(attributes, dict) else None
        if part_name is not None:
            part_name = str(part_name)
            if part_name not in upload.blobs:
                raise multipart_error(
                    f"The record at index {index} names the binary part {part_name} in "
                    "binaryPartName, but the request has no part with that name; add the part "
                    "or correct the name",
                )
            if part_name in part_names:
                raise multipart_error(
                    f"The binary part {part_name} is named by more than one record; give each "
                    "record its own part",
                )
        part_names.append(part_name)

    unnamed = sorted(set(upload.blobs) - {name for name in part_names if name is not None})
    if unnamed:
        raise multipart_error(
            f"The binary part {unnamed[0]} is named by no record; name it in a record's "
            "attributes.binaryPartName or leave it out",
        )
    return part_names
