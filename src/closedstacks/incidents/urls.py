from django.urls import path

from closedstacks.access.scopes import scope
from closedstacks.incidents import views

app_name = "incidents"

urlpatterns = [
    path("reports/new/", scope("incident:report", views.new), name="new"),
    path("reports/mine/", scope("incident:report", views.mine), name="mine"),
    path("reports/<int:pk>/", scope("incident:report", views.detail), name="detail"),
    path("reports/", scope("incident:read", views.desk), name="desk"),
    path("reports/export.csv", scope("incident:read", views.export), name="export"),
    path("reports/lookups/", scope("audit:read", views.lookups), name="lookups"),
    path("reports/<int:pk>/act/<slug:action>/", scope("incident:manage", views.act), name="act"),
    path("reports/<int:pk>/breach/", scope("breach:identities", views.breach), name="breach"),
    path("reports/<int:pk>/breach/<slug:action>/", scope("incident:manage", views.breach_act), name="breach-act"),
    path("reports/<int:pk>/breach/notices.pdf", scope("breach:identities", views.notice_letters), name="notices"),
    path("reports/<int:pk>/breach/notices/<int:person>.pdf", scope("breach:identities", views.notice_letters),
         name="notice"),
]
