from django.apps import AppConfig


class IlsConfig(AppConfig):
    name = "closedstacks.ils"
    label = "ils"
    verbose_name = "Library system: connectors and connections"
