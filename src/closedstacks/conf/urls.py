"""Every URL the service answers. Each app's urls.py declares the scope of each of its pages."""

from django.urls import include, path

from closedstacks.api.urls import declared_patterns

urlpatterns = [
    path("", include("closedstacks.web.urls")),
    path("", include("closedstacks.accounts.urls")),
    path("", include("closedstacks.audit.urls")),
    path("", include("closedstacks.matters.urls")),
    path("", include("closedstacks.library.urls")),
    path("", include("closedstacks.notices.urls")),
    path("", include("closedstacks.incidents.urls")),
    path("", include("closedstacks.training.urls")),
    path("", include("closedstacks.ils.urls")),
    path("", include("closedstacks.retention.urls")),
    path("", include("closedstacks.transparency.urls")),
    path("", include("closedstacks.dashboard.urls")),
    path("api/v1/", declared_patterns()),
]
