from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "closedstacks.api"
    label = "api"
    verbose_name = "JSON API"
