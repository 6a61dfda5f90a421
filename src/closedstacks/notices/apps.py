from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "closedstacks.notices"
    label = "notices"
    verbose_name = "Notices: in the app and by e-mail"
