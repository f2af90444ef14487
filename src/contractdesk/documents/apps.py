from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "contractdesk.documents"
    verbose_name = "Documents"
