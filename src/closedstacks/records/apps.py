from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "closedstacks.records"
    label = "records"
    verbose_name = "Records: connectors to the library system, legal holds, productions"
