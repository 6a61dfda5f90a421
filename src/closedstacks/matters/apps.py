from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "closedstacks.matters"
    label = "matters"
    verbose_name = "Matters: the procedure"

    def ready(self) -> None:
        from closedstacks.matters import home  # noqa: F401  (home panels)
