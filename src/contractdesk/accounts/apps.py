from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "contractdesk.accounts"
    verbose_name = "Accounts"
