from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "closedstacks.records"
    label = "records"
    verbose_name = "Records of a matter: legal holds and productions"
