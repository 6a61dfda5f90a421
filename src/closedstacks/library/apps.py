from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "closedstacks.library"
    label = "library"
    verbose_name = "The library: contacts, jurisdiction, policy, checklists"
