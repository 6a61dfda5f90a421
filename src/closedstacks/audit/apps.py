from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "closedstacks.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from closedstacks.audit import home  # noqa: F401  (home panel)
        from closedstacks.audit.quiet import latest_change
        from closedstacks.web.kept import key_on

        key_on(latest_change)  # pages keep what they show until the trail records a change
