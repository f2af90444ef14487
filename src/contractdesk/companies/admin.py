from django.contrib import admin

from contractdesk.companies.models import Company


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "salesforce_account_id", "billing_city", "billing_country")
    search_fields = ("name", "salesforce_account_id")
