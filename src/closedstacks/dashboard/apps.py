from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "closedstacks.dashboard"
    label = "dashboard"
    verbose_name = "The director's dashboard"
