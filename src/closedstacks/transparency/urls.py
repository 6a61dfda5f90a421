from django.urls import path, re_path
from django.views.generic import RedirectView

from closedstacks.access.scopes import SIGNED_IN, scope
from closedstacks.transparency import views

app_name = "transparency"

urlpatterns = [
    path("transparency/", scope("transparency:read", views.reports), name="reports"),
    path("transparency/new/", scope("transparency:manage", views.create), name="create"),
    path("transparency/<int:pk>/", scope("transparency:read", views.report), name="report"),
    path("transparency/<int:pk>/narrative/", scope("transparency:manage", views.narrative),
         name="narrative"),
    path("transparency/<int:pk>/publish/", scope("transparency:manage", views.publish), name="publish"),
    path("transparency/<int:pk>.pdf", scope("transparency:read", views.report_pdf), name="pdf"),
    path("transparency/<int:pk>.csv", scope("transparency:read", views.report_csv), name="csv"),
]

# Where the transparency report used to be (before /reports/ meant only the reports to the officer).
urlpatterns.append(re_path(r"^reports/transparency/(?P<rest>.*)$", scope(SIGNED_IN, RedirectView.as_view(
    url="/transparency/%(rest)s", permanent=True)), name="moved"))

