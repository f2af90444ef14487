from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "contractdesk.intake"
    verbose_name = "Intake"
