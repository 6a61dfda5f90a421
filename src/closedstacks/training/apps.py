from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "closedstacks.training"
    label = "training"
    verbose_name = "Staff training: modules, assignments, completions"

    def ready(self) -> None:
        from closedstacks.training import home  # noqa: F401  (home panels)
