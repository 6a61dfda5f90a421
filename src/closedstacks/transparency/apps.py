from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "closedstacks.transparency"
    label = "transparency"
    verbose_name = "The transparency report, for the board and the public"
