from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "contractdesk.audit"
    verbose_name = "Audit"
