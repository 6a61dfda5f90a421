from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "closedstacks.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from closedstacks.accounts import home, signals  # noqa: F401  (home panel; audits sign-ins and lockouts)
