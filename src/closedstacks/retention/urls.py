from django.urls import path

from closedstacks.access.scopes import scope
from closedstacks.retention import views

app_name = "retention"

urlpatterns = [
    path("retention/", scope("retention:read", views.policies), name="policies"),
    path("retention/runs/", scope("retention:read", views.runs_status), name="runs"),
    path("retention/policies/<int:pk>/", scope("retention:manage", views.change), name="change"),
    path("retention/connections/<int:pk>/run/", scope("retention:manage", views.start_run), name="run"),
    path("retention/connections/<int:pk>/schedule/", scope("retention:manage", views.schedule), name="schedule"),
    path("retention/privacy-audit/", scope("retention:read", views.privacy_audit), name="privacy-audit"),
    path("retention/privacy-audit/<int:pk>.pdf", scope("retention:read", views.privacy_audit_pdf),
         name="privacy-audit-pdf"),
]
