from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "closedstacks.documents"
    label = "documents"
    verbose_name = "Documents: uploads and letters"
