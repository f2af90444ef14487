"""Create, update, delete and read records, checking every write as Salesforce does."""

import sqlite3

from . import ids
from .errors import SalesforceError, invalid_field, not_found
from .render import render_record
from .rules import apply_rules
from .schema import ANY_OBJECT, FieldDef, ObjectDef, Schema
from .store import Store, quote, table_name
from .values import incorrect_reference_type, now_stamp, to_storage


class RecordService:
    """Write and read sObject records in the store, with Salesforce's validation."""

    def __init__(self, store: Store, schema: Schema) -> None:
        self.store = store
        self.schema = schema

    # Lookups ------------------------------------------------------------------------

    def object_for_write(self, object_name: str) -> ObjectDef:
        """Return the sObject a write names, or raise NOT_FOUND as the REST API does."""
        object_def = self.schema.get(object_name)
        if object_def is None:
            raise not_found()
        return object_def

    def object_of_id(self, record_id: str) -> ObjectDef | None:
        """Return the sObject an id belongs to, judged by its key prefix."""
        return self.schema.by_key_prefix(record_id[:3])

    # Create -------------------------------------------------------------------------

    def create(
        self,
        object_name: str,
        values: dict,
        user_id: str,
        computed: dict | None = None,
        record_id: str | None = None,
    ) -> str:
        """Insert a record from JSON field values and return its 18-character id.

        computed contains storage values set by the emulator itself (such as a file's
        ContentSize); they skip the checks for fields callers may not set. record_id is
        an id allocated earlier with Store.next_id, for records that must know their id
        before they exist (the org's first user).
        """
        object_def = self.object_for_write(object_name)
        if not object_def.createable and computed is None:
            raise SalesforceError(
                "INVALID_TYPE_FOR_OPERATION",
                f"entity type {object_def.name} does not support insert",
                fields=[],
            )

        record = self._convert(object_def, values, creating=True)
        set_by_caller = set(record)
        record.update(computed or {})
        self._apply_defaults(object_def, record, user_id)

        with self.store.transaction() as connection:
            apply_rules(connection, object_def, record, set_by_caller, creating=True)
            self._check_required(object_def, record, object_def.fields)
            self._check_references(connection, object_def, record)
            record_id = record_id or self.store.next_id(connection, object_def.name)
            self._check_unique(connection, object_def, record, record_id)

            stamp = now_stamp()
            record.update({
                "Id": record_id,
                "IsDeleted": 0,
                "CreatedDate": stamp,
                "CreatedById": user_id,
                "LastModifiedDate": stamp,
                "LastModifiedById": user_id,
                "SystemModstamp": stamp,
            })
            self.store.insert_row(connection, object_def.name, record)
        return record_id

    def _convert(self, object_def: ObjectDef, values: dict, creating: bool) -> dict:
        if not isinstance(values, dict):
            raise SalesforceError(
                "JSON_PARSER_ERROR", "The request body must be a JSON object of field values",
            )

        record = {}
        locked = []
        for name, value in values.items():
            if name == "attributes":
                continue
            field_def = object_def.field(name)
            if field_def is None:
                raise invalid_field(object_def.name, name)
            if field_def.name == "Id" and not creating:
                continue
            allowed = field_def.createable if creating else field_def.updateable
            if not allowed:
                locked.append(field_def.name)
                continue
            record[field_def.name] = to_storage(field_def, value)

        if locked:
            raise SalesforceError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(locked)}. Please check the "
                "security settings of this field and verify that it is read/write for "
                "your profile or permission set.",
                fields=locked,
            )
        return record

    @staticmethod
    def _apply_defaults(object_def: ObjectDef, record: dict, user_id: str) -> None:
        for field_def in object_def.fields.values():
            if field_def.name in record:
                continue
            if field_def.name == "OwnerId":
                record["OwnerId"] = user_id
            elif field_def.default_value is not None:
                record[field_def.name] = to_storage(field_def, field_def.default_value)
            elif field_def.type == "boolean":
                record[field_def.name] = 0
        if "ContentModifiedDate" in object_def.fields and not record.get("ContentModifiedDate"):
            record["ContentModifiedDate"] = now_stamp()

    @staticmethod
    def _check_required(object_def: ObjectDef, record: dict, fields: dict) -> None:
        missing = [
            field_def.name
            for field_def in fields.values()
            if not field_def.nillable
            and field_def.type not in ("boolean", "id")
            and field_def.name not in _SYSTEM_SET_FIELDS
            and not field_def.auto_number
            and not field_def.compound_of
            and record.get(field_def.name) is None
        ]
        if missing:
            raise SalesforceError(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                fields=missing,
            )

    def _check_references(
        self, connection: sqlite3.Connection, object_def: ObjectDef, record: dict,
    ) -> None:
        for name, value in record.items():
            field_def = object_def.fields[name]
            if field_def.type != "reference" or value is None or name in _SYSTEM_SET_FIELDS:
                continue
            self.check_reference(connection, field_def, value)

    def check_reference(
        self, connection: sqlite3.Connection, field_def: FieldDef, record_id: str,
    ) -> ObjectDef:
        """Check that a lookup value names an existing record of an allowed object."""
        target = self.object_of_id(record_id)
        allowed = ANY_OBJECT in field_def.reference_to or (
            target is not None and target.name in field_def.reference_to
        )
        if target is None or not allowed:
            raise incorrect_reference_type(field_def, record_id)

        row = self.store.fetch_row(connection, target.name, record_id, include_deleted=True)
        if row is None:
            raise SalesforceError(
                "INVALID_CROSS_REFERENCE_KEY",
                f"{field_def.label}: invalid cross reference id",
                fields=[field_def.name],
            )
        if row["IsDeleted"]:
            raise SalesforceError(
                "ENTITY_IS_DELETED", "entity is deleted", fields=[field_def.name],
            )
        return target

    def _check_unique(
        self, connection: sqlite3.Connection, object_def: ObjectDef, record: dict,
        record_id: str,
    ) -> None:
        for field_def in object_def.fields.values():
            value = record.get(field_def.name)
            if not field_def.unique or value is None:
                continue
            clash = connection.execute(
                f"SELECT \"Id\" FROM {table_name(object_def.name)} "  # noqa: S608 - schema names only, values bound
                f"WHERE {quote(field_def.name)} = ? AND \"Id\" != ? AND \"IsDeleted\" = 0",
                (value, record_id),
            ).fetchone()
            if clash:
                raise SalesforceError(
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {field_def.name} duplicates value on record "
                    f"with id: {clash['Id']}",
                    fields=[field_def.name],
                )

    # Update -------------------------------------------------------------------------

    def update(
        self,
        object_name: str,
        record_id: str,
        values: dict,
        user_id: str,
        computed: dict | None = None,
    ) -> None:
        """Change the given fields of a record; raise NOT_FOUND if it does not exist."""
        object_def = self.object_for_write(object_name)
        record_id = self.normalize_id(record_id, object_def)
        if not object_def.updateable and computed is None:
            raise SalesforceError(
                "INVALID_TYPE_FOR_OPERATION",
                f"entity type {object_def.name} does not support update",
                fields=[],
            )

        changes = self._convert(object_def, values, creating=False)
        set_by_caller = set(changes)
        changes.update(computed or {})

        with self.store.transaction() as connection:
            row = self._live_row(connection, object_def, record_id)
            record = dict(row)
            record.update(changes)
            apply_rules(connection, object_def, record, set_by_caller, creating=False)

            changed_fields = {
                name: object_def.fields[name] for name in record
                if name in object_def.fields and record[name] != row[name]
            }
            self._check_required(object_def, record, changed_fields)
            self._check_references(
                connection, object_def, {name: record[name] for name in changed_fields},
            )
            self._check_unique(connection, object_def, record, record_id)

            stamp = now_stamp()
            update = {name: record[name] for name in changed_fields}
            update.update({
                "LastModifiedDate": stamp,
                "LastModifiedById": user_id,
                "SystemModstamp": stamp,
            })
            self.store.update_row(connection, object_def.name, record_id, update)

    def normalize_id(self, record_id: str, object_def: ObjectDef) -> str:
        """Turn a record id from a URL into 18 characters, or raise NOT_FOUND."""
        try:
            normalized = ids.to_18(record_id)
        except ids.MalformedIdError:
            raise SalesforceError(
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {record_id}",
                status=404,
            ) from None
        if normalized[:3] != object_def.key_prefix:
            raise SalesforceError(
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {record_id}",
                status=404,
            )
        return normalized

    def _live_row(
        self, connection: sqlite3.Connection, object_def: ObjectDef, record_id: str,
    ) -> sqlite3.Row:
        row = self.store.fetch_row(connection, object_def.name, record_id, include_deleted=True)
        if row is None:
            raise not_found()
        if row["IsDeleted"]:
            raise SalesforceError("ENTITY_IS_DELETED", "entity is deleted", status=404, fields=[])
        return row

    # Delete -------------------------------------------------------------------------

    def delete(self, object_name: str, record_id: str, user_id: str) -> None:
        """Move a record to the recycle bin (IsDeleted = true), with cascades and SetNull."""
        object_def = self.object_for_write(object_name)
        record_id = self.normalize_id(record_id, object_def)
        if not object_def.deletable:
            raise SalesforceError(
                "INVALID_TYPE_FOR_OPERATION",
                f"entity type {object_def.name} does not support delete",
                fields=[],
            )

        with self.store.transaction() as connection:
            self._live_row(connection, object_def, record_id)
            self._delete_tree(connection, object_def, record_id, user_id)

    def _delete_tree(
        self, connection: sqlite3.Connection, object_def: ObjectDef, record_id: str,
        user_id: str,
    ) -> None:
        stamp = now_stamp()
        for relationship in object_def.child_relationships:
            child_table = table_name(relationship.child_object)
            child_field = quote(relationship.field)
            children = [
                row["Id"] for row in connection.execute(
                    f'SELECT "Id" FROM {child_table} WHERE {child_field} = ? AND "IsDeleted" = 0',  # noqa: S608 - schema names only, values bound
                    (record_id,),
                )
            ]
            if not children:
                continue
            if relationship.restricted_delete:
                raise SalesforceError(
                    "DELETE_FAILED",
                    f"Your attempt to delete {object_def.label} {record_id} could not be "
                    f"completed because it is associated with {relationship.child_object} "
                    f"records {', '.join(children[:5])}; remove those references first.",
                    fields=[],
                )
            child_def = self.schema.get(relationship.child_object)
            for child_id in children:
                if relationship.cascade_delete:
                    self._delete_tree(connection, child_def, child_id, user_id)
                else:
                    self.store.update_row(connection, child_def.name, child_id, {
                        relationship.field: None, "SystemModstamp": stamp,
                    })

        self.store.update_row(connection, object_def.name, record_id, {
            "IsDeleted": 1,
            "LastModifiedDate": stamp,
            "LastModifiedById": user_id,
            "SystemModstamp": stamp,
        })

    # Read ---------------------------------------------------------------------------

    def read(
        self,
        object_name: str,
        record_id: str,
        version: str,
        field_names: list[str] | None = None,
    ) -> dict:
        """Return a record as the REST API does, with all fields or the named ones."""
        object_def = self.object_for_write(object_name)
        record_id = self.normalize_id(record_id, object_def)
        if field_names:
            fields = []
            for name in field_names:
                field_def = object_def.field(name)
                if field_def is None:
                    raise self.no_such_column(object_def, name)
                fields.append(field_def)
        else:
            fields = list(object_def.fields.values())

        with self.store.read() as connection:
            row = self.store.fetch_row(connection, object_def.name, record_id)
        if row is None:
            raise not_found()
        return render_record(object_def, row, fields, version)

    @staticmethod
    def no_such_column(object_def: ObjectDef, name: str) -> SalesforceError:
        """Build the error for a read naming a field the object does not have (or the user cannot see)."""
        return SalesforceError(
            "INVALID_FIELD",
            f"No such column '{name}' on entity '{object_def.name}'. If you are "
            "attempting to use a custom field, be sure to append the '__c' after "
            "the custom field name. Please reference your WSDL or the describe "
            "call for the appropriate names.",
        )


# Fields the emulator sets on every write; callers never supply them.
_SYSTEM_SET_FIELDS = frozenset({
    "Id", "CreatedById", "LastModifiedById", "CreatedDate", "LastModifiedDate",
    "SystemModstamp", "IsDeleted",
})
