"""Admin-site helpers shared by the apps."""


class ReadOnlyAdminMixin:
    """Show records in the admin site without letting anyone change them there.

    Used for records that only services may change, so that every change goes
    through the audit trail and the outbox to Salesforce.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
