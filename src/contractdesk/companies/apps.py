from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "contractdesk.companies"
    verbose_name = "Companies"
