from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "closedstacks.matters"
    label = "matters"
    verbose_name = "Matters: the procedure"

    def ready(self) -> None:
        from closedstacks.access import sealed
        from closedstacks.matters import home  # noqa: F401  (home panels)
        from closedstacks.matters.models import Matter

        sealed.provide(lambda user: Matter.objects.sealed_from(user).values("pk"))
