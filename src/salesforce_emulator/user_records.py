"""Record reads and writes on behalf of an API user: permission checks and planned faults first.

Every REST path that touches records (sObject rows, upsert, composite subrequests,
sObject Collections, sObject Tree) goes through these functions, so object and field
permissions and the UNABLE_TO_LOCK_ROW fault apply to each the same way.
"""

from .errors import not_found
from .files import StoredBlob
from .org import Org
from .permissions import UserAccess
from .schema import ObjectDef


def visible_object(org: Org, access: UserAccess, object_name: str) -> ObjectDef:
    """Return the sObject, or raise NOT_FOUND when it does not exist or the user cannot read it."""
    object_def = org.schema.get(object_name)
    if object_def is None or not access.can_read(object_def):
        raise not_found()
    return object_def


def create_record(
    org: Org, access: UserAccess, object_def: ObjectDef, values: dict,
    blob: StoredBlob | None = None,
) -> str:
    """Create a record if the user may, and return its id."""
    access.check_create(object_def)
    access.check_write_fields(object_def, values)
    org.faults.check_row_lock(object_def.name)
    with org.store.transaction() as connection:
        record_id = org.create(object_def.name, values, access.user_id, blob=blob)
        if object_def.name == "Profile":
            # Every profile owns the permission set that carries its object and field permissions.
            name = org.store.fetch_row(connection, "Profile", record_id)["Name"]
            org.permission_records.create_profile_permission_set(record_id, name, access.user_id)
    return record_id


def update_record(
    org: Org, access: UserAccess, object_def: ObjectDef, record_id: str, values: dict,
) -> None:
    """Update a record if the user may."""
    access.check_edit(object_def)
    access.check_write_fields(object_def, values)
    org.faults.check_row_lock(object_def.name)
    org.records.update(object_def.name, record_id, values, access.user_id)


def delete_record(org: Org, access: UserAccess, object_def: ObjectDef, record_id: str) -> None:
    """Delete a record if the user may."""
    access.check_delete(object_def)
    org.faults.check_row_lock(object_def.name)
    org.records.delete(object_def.name, record_id, access.user_id)


def read_record(
    org: Org, access: UserAccess, object_def: ObjectDef, record_id: str, version: str,
    field_names: list[str] | None = None,
) -> dict:
    """Return a record with the fields the user can see, or only the named ones.

    A named field the user cannot see fails as if it did not exist, as in Salesforce.
    """
    if field_names:
        for name in field_names:
            field_def = object_def.field(name)
            if field_def is not None and not access.field_readable(object_def, field_def):
                raise org.records.no_such_column(object_def, name)
    else:
        field_names = [field_def.name for field_def in access.readable_fields(object_def)]
    return org.records.read(object_def.name, record_id, version, field_names)
