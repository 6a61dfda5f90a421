from django.urls import path

from closedstacks.access.scopes import scope
from closedstacks.records import production_views, views

app_name = "records"

urlpatterns = [
    path("connections/", scope("connector:manage", views.connections), name="connections"),
    path("connections/new/", scope("connector:manage", views.connection), name="connection-new"),
    path("connections/<int:pk>/", scope("connector:manage", views.connection), name="connection"),
    path("connections/<int:pk>/test/", scope("connector:manage", views.test), name="connection-test"),
    path("connections/<int:pk>/remove/", scope("connector:manage", views.remove), name="connection-remove"),
]

urlpatterns.append(path("holds/", scope("hold:read", views.holds), name="holds"))
urlpatterns.append(path("matters/<str:reference>/counts/", scope("matter:read", views.counts), name="counts"))

# A production: its page and downloads, for the people on the matter (everyone else: 404).
PRODUCTION = "matters/<str:reference>/productions/<int:number>/"
urlpatterns += [
    path(PRODUCTION, scope("matter:read", production_views.detail), name="production"),
    path(PRODUCTION + "files/<str:name>", scope("matter:read", production_views.file), name="production-file"),
    path(PRODUCTION + "package.zip", scope("matter:read", production_views.package), name="production-package"),
    path(PRODUCTION + "record.pdf", scope("matter:read", production_views.record_pdf), name="production-record"),
]
