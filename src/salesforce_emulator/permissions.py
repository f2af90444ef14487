"""Object and field permissions: what a user may read and write, as profiles and permission sets grant.

A user's access is the union of their profile and their active permission set
assignments. Each profile owns a permission set (IsOwnedByProfile = true) that carries
the profile's ObjectPermissions and FieldPermissions records, as in Salesforce. A
profile or permission set with Modify All Data grants everything; View All Data grants
read access to every object and field.

Objects outside object permissions: Files objects (ContentDocument, ContentVersion,
ContentDocumentLink) are open to every user, because Salesforce controls them by
sharing. Setup objects (users, profiles, permission sets and their permissions) are
readable by every user and writable with Manage Users.

NOTE: record-level sharing is not emulated. Every object behaves as Public Read/Write,
so View All Records and Modify All Records only add Read, and Read, Edit and Delete.
"""

import datetime
import sqlite3
from dataclasses import dataclass

import structlog

from .errors import SalesforceError
from .schema import FieldDef, ObjectDef, Schema
from .store import Store
from .values import store_datetime

log = structlog.get_logger(__name__)

FILES_OBJECTS = frozenset({"ContentDocument", "ContentVersion", "ContentDocumentLink"})
SETUP_OBJECTS = frozenset({
    "User", "Profile", "PermissionSet", "PermissionSetAssignment", "ObjectPermissions",
    "FieldPermissions",
})


@dataclass(frozen=True)
class ObjectAccess:
    """The object permissions one user has on one sObject."""

    read: bool = False
    create: bool = False
    edit: bool = False
    delete: bool = False
    view_all: bool = False
    modify_all: bool = False

    def merged(self, other: "ObjectAccess") -> "ObjectAccess":
        """Return the union of two grants, as several permission sets add up."""
        return ObjectAccess(
            read=self.read or other.read,
            create=self.create or other.create,
            edit=self.edit or other.edit,
            delete=self.delete or other.delete,
            view_all=self.view_all or other.view_all,
            modify_all=self.modify_all or other.modify_all,
        )

    def effective(self) -> "ObjectAccess":
        """Apply the implications Salesforce enforces between object permissions."""
        read = self.read or self.view_all or self.modify_all or self.edit or self.delete
        return ObjectAccess(
            read=read,
            create=self.create,
            edit=self.edit or self.modify_all,
            delete=self.delete or self.modify_all,
            view_all=self.view_all or self.modify_all,
            modify_all=self.modify_all,
        )


_NO_ACCESS = ObjectAccess()
_FULL_OBJECT_ACCESS = ObjectAccess(True, True, True, True, True, True)
_READ_ONLY = ObjectAccess(read=True)


def is_permissionable(field_def: FieldDef) -> bool:
    """Tell whether field-level security applies to a field.

    Custom fields are permissionable unless they are required (a required field is
    always readable and editable) or the record name. Standard fields are treated as
    granted to every user who can read the object.
    """
    if not field_def.custom or field_def.name_field:
        return False
    return field_def.nillable or field_def.type == "boolean"


class UserAccess:
    """The permissions of one user: object permissions by object and field permissions by field."""

    def __init__(
        self,
        user_id: str,
        modify_all_data: bool = False,
        view_all_data: bool = False,
        manage_users: bool = False,
        objects: dict[str, ObjectAccess] | None = None,
        fields: dict[tuple[str, str], tuple[bool, bool]] | None = None,
    ) -> None:
        self.user_id = user_id
        self.modify_all_data = modify_all_data
        self.view_all_data = view_all_data
        self.manage_users = manage_users
        self._objects = objects or {}
        self._fields = fields or {}

    @classmethod
    def full(cls, user_id: str = "") -> "UserAccess":
        """Return access to everything, as a System Administrator has."""
        return cls(user_id, modify_all_data=True, view_all_data=True, manage_users=True)

    # Objects --------------------------------------------------------------------------

    def object_access(self, object_def: ObjectDef) -> ObjectAccess:
        """Return the user's effective permissions on an object."""
        if self.modify_all_data:
            return _FULL_OBJECT_ACCESS
        if object_def.name in FILES_OBJECTS:
            return _FULL_OBJECT_ACCESS
        if object_def.name in SETUP_OBJECTS:
            return _FULL_OBJECT_ACCESS if self.manage_users else _READ_ONLY
        if object_def.name == "Organization":
            return _READ_ONLY

        granted = self._objects.get(object_def.name.lower(), _NO_ACCESS).effective()
        if self.view_all_data:
            granted = granted.merged(ObjectAccess(read=True, view_all=True))
        return granted

    def can_read(self, object_def: ObjectDef) -> bool:
        """Tell whether the user can see the object at all."""
        return self.object_access(object_def).read

    def check_create(self, object_def: ObjectDef) -> None:
        """Raise the error Salesforce returns when the user cannot create the object's records."""
        if not self.object_access(object_def).create:
            raise SalesforceError(
                "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                f"entity type cannot be inserted: {object_def.label}",
                fields=[],
            )

    def check_edit(self, object_def: ObjectDef) -> None:
        """Raise the error Salesforce returns when the user cannot edit the object's records."""
        if not self.object_access(object_def).edit:
            raise SalesforceError(
                "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                f"entity type cannot be updated: {object_def.label}",
                fields=[],
            )

    def check_delete(self, object_def: ObjectDef) -> None:
        """Raise INSUFFICIENT_ACCESS_OR_READONLY when the user cannot delete the object's records."""
        if not self.object_access(object_def).delete:
            raise SalesforceError(
                "INSUFFICIENT_ACCESS_OR_READONLY",
                "insufficient access rights on object id",
                status=403,
                fields=[],
            )

    # Fields ---------------------------------------------------------------------------

    def _field_grant(self, object_def: ObjectDef, field_def: FieldDef) -> tuple[bool, bool]:
        if self.modify_all_data or not is_permissionable(field_def):
            return True, True
        if object_def.name in FILES_OBJECTS or object_def.name in SETUP_OBJECTS:
            return True, True
        readable, editable = self._fields.get(
            (object_def.name.lower(), field_def.name.lower()), (False, False),
        )
        if self.view_all_data:
            readable = True
        # Edit access implies read access, as Salesforce enforces on FieldPermissions.
        return readable or editable, editable

    def field_readable(self, object_def: ObjectDef, field_def: FieldDef) -> bool:
        """Tell whether field-level security lets the user see a field."""
        return self._field_grant(object_def, field_def)[0]

    def field_editable(self, object_def: ObjectDef, field_def: FieldDef) -> bool:
        """Tell whether field-level security lets the user set a field."""
        return self._field_grant(object_def, field_def)[1]

    def readable_fields(self, object_def: ObjectDef) -> list[FieldDef]:
        """Return the object's fields the user can see, in describe order."""
        return [
            field_def for field_def in object_def.fields.values()
            if self.field_readable(object_def, field_def)
        ]

    def check_write_fields(self, object_def: ObjectDef, values: object) -> None:
        """Check field-level security for the fields a create or update sets.

        A field the user cannot see is reported as missing (INVALID_FIELD), because
        Salesforce hides it. A field the user can see but not edit fails with
        INVALID_FIELD_FOR_INSERT_UPDATE.
        """
        if self.modify_all_data or not isinstance(values, dict):
            return

        read_only = []
        for name in values:
            field_def = object_def.field(name)
            if field_def is None:
                continue
            readable, editable = self._field_grant(object_def, field_def)
            if not readable:
                raise SalesforceError(
                    "INVALID_FIELD",
                    f"No such column '{name}' on sobject of type {object_def.name}",
                    fields=[],
                )
            if not editable:
                read_only.append(field_def.name)
        if read_only:
            raise SalesforceError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(read_only)}. Please check the "
                "security settings of this field and verify that it is read/write for your "
                "profile or permission set.",
                fields=read_only,
            )


class PermissionService:
    """Compute users' access and keep the permission records of profiles and package permission sets."""

    def __init__(self, store: Store, schema: Schema) -> None:
        self.store = store
        self.schema = schema

    def for_user(self, user_id: str) -> UserAccess:
        """Return the merged access of a user's profile and active permission set assignments."""
        now = store_datetime(datetime.datetime.now(datetime.UTC))
        with self.store.read() as connection:
            profile = connection.execute(
                'SELECT p."Id", p."PermissionsModifyAllData", p."PermissionsViewAllData", '
                'p."PermissionsManageUsers" FROM "sobj_User" u '
                'JOIN "sobj_Profile" p ON p."Id" = u."ProfileId" '
                'WHERE u."Id" = ? AND u."IsDeleted" = 0',
                (user_id,),
            ).fetchone()
            if profile is None:
                return UserAccess(user_id)
            sets = connection.execute(
                'SELECT "Id", "PermissionsModifyAllData", "PermissionsViewAllData", '
                '"PermissionsManageUsers" FROM "sobj_PermissionSet" '
                'WHERE "IsDeleted" = 0 AND ('
                '("IsOwnedByProfile" = 1 AND "ProfileId" = ?) OR "Id" IN ('
                'SELECT "PermissionSetId" FROM "sobj_PermissionSetAssignment" '
                'WHERE "AssigneeId" = ? AND "IsDeleted" = 0 '
                'AND ("ExpirationDate" IS NULL OR "ExpirationDate" > ?)))',
                (profile["Id"], user_id, now),
            ).fetchall()

            modify_all = bool(profile["PermissionsModifyAllData"]) or any(
                row["PermissionsModifyAllData"] for row in sets
            )
            if modify_all:
                return UserAccess.full(user_id)
            set_ids = [row["Id"] for row in sets]
            objects = self._object_grants(connection, set_ids)
            fields = self._field_grants(connection, set_ids)

        return UserAccess(
            user_id,
            view_all_data=bool(profile["PermissionsViewAllData"]) or any(
                row["PermissionsViewAllData"] for row in sets
            ),
            manage_users=bool(profile["PermissionsManageUsers"]) or any(
                row["PermissionsManageUsers"] for row in sets
            ),
            objects=objects,
            fields=fields,
        )

    @staticmethod
    def _object_grants(connection: sqlite3.Connection, set_ids: list[str]) -> dict:
        grants: dict[str, ObjectAccess] = {}
        if not set_ids:
            return grants
        marks = ", ".join("?" for _ in set_ids)
        rows = connection.execute(
            'SELECT * FROM "sobj_ObjectPermissions" '  # noqa: S608 - placeholders only, values bound
            f'WHERE "IsDeleted" = 0 AND "ParentId" IN ({marks})',
            set_ids,
        )
        for row in rows:
            grant = ObjectAccess(
                read=bool(row["PermissionsRead"]),
                create=bool(row["PermissionsCreate"]),
                edit=bool(row["PermissionsEdit"]),
                delete=bool(row["PermissionsDelete"]),
                view_all=bool(row["PermissionsViewAllRecords"]),
                modify_all=bool(row["PermissionsModifyAllRecords"]),
            )
            key = row["SobjectType"].lower()
            grants[key] = grants.get(key, _NO_ACCESS).merged(grant)
        return grants

    @staticmethod
    def _field_grants(connection: sqlite3.Connection, set_ids: list[str]) -> dict:
        grants: dict[tuple[str, str], tuple[bool, bool]] = {}
        if not set_ids:
            return grants
        marks = ", ".join("?" for _ in set_ids)
        rows = connection.execute(
            'SELECT "Field", "PermissionsRead", "PermissionsEdit" FROM "sobj_FieldPermissions" '  # noqa: S608 - placeholders only, values bound
            f'WHERE "IsDeleted" = 0 AND "ParentId" IN ({marks})',
            set_ids,
        )
        for row in rows:
            object_name, _, field_name = row["Field"].partition(".")
            key = (object_name.lower(), field_name.lower())
            readable, editable = grants.get(key, (False, False))
            grants[key] = (
                readable or bool(row["PermissionsRead"]), editable or bool(row["PermissionsEdit"]),
            )
        return grants
