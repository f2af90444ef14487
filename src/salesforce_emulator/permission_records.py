"""Keep the org's permission records: profile-owned permission sets, defaults and package permission sets.

Every profile owns a permission set that carries its ObjectPermissions and
FieldPermissions, as in Salesforce. A permission set from a package (SFDX source or a
Metadata API deploy) becomes a PermissionSet record with one ObjectPermissions record
per object and one FieldPermissions record per field it lists.
"""

import sqlite3

import structlog

from .errors import SalesforceError
from .records import RecordService
from .schema.metadata_xml import PackagePermissionSet
from .store import Store

log = structlog.get_logger(__name__)

# Standard User object permissions on standard objects, as in a new Developer Edition org.
_STANDARD_USER_GRANTS = {
    "Account": (True, True, True, True),
    "Contact": (True, True, True, True),
    "Opportunity": (True, True, True, True),
}
# System permissions of a profile. The permission set the profile owns carries the same values.
PROFILE_SYSTEM_PERMISSIONS = (
    "PermissionsModifyAllData", "PermissionsViewAllData", "PermissionsApiEnabled",
    "PermissionsManageUsers",
)
_DEFAULTS_SETTING = "permission_defaults_version"
_DEFAULTS_VERSION = "1"


class PermissionRecords:
    """Create and update the PermissionSet, ObjectPermissions and FieldPermissions records of the org."""

    def __init__(self, records: RecordService) -> None:
        self.records = records
        self.store: Store = records.store

    def ensure_profile_permission_sets(self, admin_id: str) -> None:
        """Give every profile its owned permission set with the profile's system permissions.

        The Standard User profile also gets its default object permissions, once.
        """
        with self.store.read() as connection:
            profiles = connection.execute(
                'SELECT p."Id", p."Name", EXISTS (SELECT 1 FROM "sobj_PermissionSet" s '
                'WHERE s."ProfileId" = p."Id" AND s."IsOwnedByProfile" = 1 AND s."IsDeleted" = 0) '
                'AS "HasOwnSet" FROM "sobj_Profile" p WHERE p."IsDeleted" = 0',
            ).fetchall()
        for profile in profiles:
            if profile["HasOwnSet"]:
                # Orgs created before owned sets copied the profile's permissions are fixed here.
                self.sync_profile_permission_set(profile["Id"], admin_id)
            else:
                self.create_profile_permission_set(profile["Id"], profile["Name"], admin_id)

        if self.store.get_setting(_DEFAULTS_SETTING) != _DEFAULTS_VERSION:
            self._grant_standard_user_defaults(admin_id)
            self.store.set_setting(_DEFAULTS_SETTING, _DEFAULTS_VERSION)

    def create_profile_permission_set(self, profile_id: str, profile_name: str, user_id: str) -> str:
        """Create the permission set a profile owns, with the profile's system permissions.

        Its name is X plus the profile id, as in Salesforce.
        """
        return self.records.create("PermissionSet", {}, user_id, computed={
            "Name": "X" + profile_id[:15],
            "Label": profile_name,
            "IsOwnedByProfile": 1,
            "IsCustom": 0,
            "ProfileId": profile_id,
            **self._profile_permissions(profile_id),
        })

    def sync_profile_permission_set(self, profile_id: str, user_id: str) -> None:
        """Copy a profile's system permissions to the permission set it owns, where they differ.

        NOTE: this runs when the org starts. A Profile changed later through the API keeps
        its old values in the owned set until the next start. Calling this after a Profile
        update in user_records would close the gap.
        """
        with self.store.read() as connection:
            row = connection.execute(
                'SELECT * FROM "sobj_PermissionSet" WHERE "ProfileId" = ? '
                'AND "IsOwnedByProfile" = 1 AND "IsDeleted" = 0',
                (profile_id,),
            ).fetchone()
        if row is None:
            return
        permissions = self._profile_permissions(profile_id)
        if _differs(row, permissions):
            self.records.update("PermissionSet", row["Id"], {}, user_id, computed=permissions)

    def _profile_permissions(self, profile_id: str) -> dict[str, int]:
        """Return the profile's system permissions as stored checkbox values (0 or 1)."""
        columns = ", ".join(f'"{name}"' for name in PROFILE_SYSTEM_PERMISSIONS)
        with self.store.read() as connection:
            row = connection.execute(
                f'SELECT {columns} FROM "sobj_Profile" WHERE "Id" = ?',  # noqa: S608 - fixed field names only, values bound
                (profile_id,),
            ).fetchone()
        if row is None:
            return {}
        return {name: int(bool(row[name])) for name in PROFILE_SYSTEM_PERMISSIONS}

    def _grant_standard_user_defaults(self, admin_id: str) -> None:
        with self.store.read() as connection:
            row = connection.execute(
                'SELECT s."Id" FROM "sobj_PermissionSet" s JOIN "sobj_Profile" p ON p."Id" = s."ProfileId" '
                'WHERE p."Name" = ? AND s."IsOwnedByProfile" = 1 AND s."IsDeleted" = 0',
                ("Standard User",),
            ).fetchone()
        if row is None:
            return
        for object_name, (read, create, edit, delete) in _STANDARD_USER_GRANTS.items():
            self._set_object_permission(row["Id"], object_name, {
                "PermissionsRead": read, "PermissionsCreate": create,
                "PermissionsEdit": edit, "PermissionsDelete": delete,
            }, admin_id)

    # Package permission sets ----------------------------------------------------------

    def install_permission_set(self, permission_set: PackagePermissionSet, user_id: str) -> str:
        """Create or update a package permission set with its object and field permissions.

        Permissions the package no longer lists are deleted, so installing the same
        package twice changes nothing. Returns the PermissionSet id.
        """
        with self.store.transaction() as connection:
            permission_set_id = self._upsert_permission_set(connection, permission_set, user_id)

            kept_objects = set()
            for grant in permission_set.object_permissions.values():
                kept_objects.add(self._set_object_permission(permission_set_id, grant.object_name, {
                    "PermissionsRead": grant.allow_read,
                    "PermissionsCreate": grant.allow_create,
                    "PermissionsEdit": grant.allow_edit,
                    "PermissionsDelete": grant.allow_delete,
                    "PermissionsViewAllRecords": grant.view_all_records,
                    "PermissionsModifyAllRecords": grant.modify_all_records,
                }, user_id))

            kept_fields = set()
            for field_name, (readable, editable) in permission_set.field_permissions.items():
                record_id = self._set_field_permission(
                    permission_set_id, field_name, readable, editable, user_id,
                )
                if record_id:
                    kept_fields.add(record_id)

            self._delete_others(connection, "ObjectPermissions", permission_set_id, kept_objects, user_id)
            self._delete_others(connection, "FieldPermissions", permission_set_id, kept_fields, user_id)
        return permission_set_id

    def _upsert_permission_set(
        self, connection: sqlite3.Connection, permission_set: PackagePermissionSet, user_id: str,
    ) -> str:
        row = connection.execute(
            'SELECT * FROM "sobj_PermissionSet" WHERE "Name" = ? AND "IsDeleted" = 0',
            (permission_set.name,),
        ).fetchone()
        values = {"Label": permission_set.label, "Description": permission_set.description}
        if row is None:
            return self.records.create("PermissionSet", {
                "Name": permission_set.name, **values,
            }, user_id, computed={"IsCustom": 1})
        if _differs(row, values):
            self.records.update("PermissionSet", row["Id"], values, user_id)
        return row["Id"]

    def _set_object_permission(
        self, permission_set_id: str, object_name: str, flags: dict, user_id: str,
    ) -> str:
        with self.store.read() as connection:
            row = connection.execute(
                'SELECT * FROM "sobj_ObjectPermissions" WHERE "ParentId" = ? '
                'AND "SobjectType" = ? AND "IsDeleted" = 0',
                (permission_set_id, object_name),
            ).fetchone()
        if row is None:
            return self.records.create("ObjectPermissions", {
                "ParentId": permission_set_id, "SobjectType": object_name, **flags,
            }, user_id)
        if _differs(row, flags):
            self.records.update("ObjectPermissions", row["Id"], flags, user_id)
        return row["Id"]

    def _set_field_permission(
        self, permission_set_id: str, field_name: str, readable: bool, editable: bool,
        user_id: str,
    ) -> str | None:
        object_name, _, name = field_name.partition(".")
        object_def = self.records.schema.get(object_name)
        if object_def is None or object_def.field(name) is None:
            log.warning(
                "field permission skipped: no such field in the org",
                field=field_name, permission_set_id=permission_set_id,
            )
            return None

        flags = {"PermissionsRead": readable or editable, "PermissionsEdit": editable}
        with self.store.read() as connection:
            row = connection.execute(
                'SELECT * FROM "sobj_FieldPermissions" WHERE "ParentId" = ? '
                'AND "Field" = ? AND "IsDeleted" = 0',
                (permission_set_id, field_name),
            ).fetchone()
        try:
            if row is None:
                return self.records.create("FieldPermissions", {
                    "ParentId": permission_set_id, "SobjectType": object_def.name,
                    "Field": field_name, **flags,
                }, user_id)
            if _differs(row, flags):
                self.records.update("FieldPermissions", row["Id"], flags, user_id)
        except SalesforceError as error:
            log.error(
                "field permission not saved", field=field_name, error=error.message,
                permission_set_id=permission_set_id,
            )
            return None
        return row["Id"]

    def _delete_others(
        self, connection: sqlite3.Connection, object_name: str, permission_set_id: str,
        kept: set[str], user_id: str,
    ) -> None:
        rows = connection.execute(
            f'SELECT "Id" FROM "sobj_{object_name}" WHERE "ParentId" = ? AND "IsDeleted" = 0',  # noqa: S608 - fixed object names only, values bound
            (permission_set_id,),
        ).fetchall()
        for row in rows:
            if row["Id"] not in kept:
                self.records.delete(object_name, row["Id"], user_id)


def _differs(row: sqlite3.Row, values: dict) -> bool:
    """Tell whether a stored row differs from the given field values (checkboxes as 0/1)."""
    for name, value in values.items():
        stored = row[name]
        expected = int(value) if isinstance(value, bool) else value
        if stored != expected:
            return True
    return False
