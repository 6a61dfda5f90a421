from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "closedstacks.reports"
    label = "reports"
    verbose_name = "Reports: the transparency report for the board and the public"
