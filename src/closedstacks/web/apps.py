from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "closedstacks.web"
    label = "web"
    verbose_name = "Pages"
