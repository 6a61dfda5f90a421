from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "closedstacks.incidents"
    label = "incidents"
    verbose_name = "Incidents: threats, unauthorized demands, privacy problems"

    def ready(self) -> None:
        from closedstacks.incidents import home  # noqa: F401  (home panels)
