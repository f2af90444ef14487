from django.apps import AppConfig


class SalesconnectConfig(AppConfig):
    name = "contractdesk.salesconnect"
    verbose_name = "SalesConnect"
