from django.contrib import admin

from contractdesk.contracts.models import Contract, ContractType


@admin.register(ContractType)
class ContractTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "active")
    list_filter = ("active",)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "company", "contract_type", "status", "term_type", "effective_date")
    list_filter = ("status", "term_type", "contract_type")
    search_fields = ("number", "title", "company__name")
    raw_id_fields = ("company", "parent", "created_by")

    def has_delete_permission(self, request, obj=None):
        # Contracts are archived, never deleted.
        return False
