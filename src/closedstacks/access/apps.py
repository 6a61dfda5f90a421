from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "closedstacks.access"
    label = "access"
    verbose_name = "Access control"
