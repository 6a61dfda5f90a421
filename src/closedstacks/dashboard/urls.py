from django.urls import path

from closedstacks.access.scopes import scope
from closedstacks.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", scope("dashboard:read", views.dashboard), name="dashboard"),
]
