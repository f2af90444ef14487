from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contractdesk.contracts"
    verbose_name = "Contracts"
