from django.contrib import admin

from contractdesk.accounts.admin_mixins import ReadOnlyAdminMixin
from contractdesk.intake.models import ContractRequest, RequestFile


class RequestFileInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RequestFile
    extra = 0
    readonly_fields = ("filename", "media_type", "size", "sha256", "problem", "salesforce_content_version_id")
    exclude = ("storage_key", "salesforce_content_document_id")


@admin.register(ContractRequest)
class ContractRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Requests change only through the queue, which records and syncs each decision."""

    list_display = ("request_number", "name", "account_name", "status", "received_at")
    list_filter = ("status",)
    search_fields = ("name", "account_name", "salesforce_id")
    inlines = [RequestFileInline]
