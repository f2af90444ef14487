from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "contractdesk.web"
    verbose_name = "Web interface"
