from django.urls import path

from closedstacks.access.scopes import scope
from closedstacks.reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", scope("dashboard:read", views.dashboard), name="dashboard"),
    path("reports/transparency/", scope("transparency:read", views.reports), name="reports"),
    path("reports/transparency/new/", scope("transparency:manage", views.create), name="create"),
    path("reports/transparency/<int:pk>/", scope("transparency:read", views.report), name="report"),
    path("reports/transparency/<int:pk>/narrative/", scope("transparency:manage", views.narrative),
         name="narrative"),
    path("reports/transparency/<int:pk>/publish/", scope("transparency:manage", views.publish), name="publish"),
    path("reports/transparency/<int:pk>.pdf", scope("transparency:read", views.report_pdf), name="pdf"),
    path("reports/transparency/<int:pk>.csv", scope("transparency:read", views.report_csv), name="csv"),
]
