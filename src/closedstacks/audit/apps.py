from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "closedstacks.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from closedstacks.audit import home  # noqa: F401  (home panel)
