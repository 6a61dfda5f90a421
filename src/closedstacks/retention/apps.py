from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "closedstacks.retention"
    label = "retention"
    verbose_name = "Retention: unlinking what the library should not keep, never what a matter holds"
