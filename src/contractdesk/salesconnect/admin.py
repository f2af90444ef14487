from django.contrib import admin

from contractdesk.accounts.admin_mixins import ReadOnlyAdminMixin
from contractdesk.salesconnect.models import OutboxMessage, SyncRun, SyncState


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "started_at", "status", "records_seen", "requests_received", "requests_flagged")
    list_filter = ("status",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "kind", "salesforce_id", "status", "attempts", "next_attempt_at", "created_at")
    list_filter = ("status", "kind")


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sobject", "watermark", "updated_at")
