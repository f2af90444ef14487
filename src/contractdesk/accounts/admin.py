from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from contractdesk.accounts.models import User


@admin.register(User)
class ContractDeskUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Contractdesk", {"fields": ("role",)}))
