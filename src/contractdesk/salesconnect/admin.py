from django.contrib import admin

from contractdesk.salesconnect.models import OutboxMessage, SyncRun, SyncState


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "started_at", "status", "records_seen", "requests_received", "requests_flagged")
    list_filter = ("status",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "salesforce_id", "status", "attempts", "next_attempt_at", "created_at")
    list_filter = ("status", "kind")


admin.site.register(SyncState)
