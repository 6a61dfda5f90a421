"""The audit trail's pages. The scope of each is declared here."""

from django.urls import path

from closedstacks.access.scopes import scope
from closedstacks.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", scope("audit:read", views.entries), name="entries"),
    path("audit/export.csv", scope("audit:read", views.export_csv), name="export"),
    path("audit/verification/", scope("audit:read", views.status), name="status"),
    path("audit/verification/run/", scope("audit:verify", views.verify_now), name="verify"),
]
