from django.urls import path

from closedstacks.access.scopes import scope
from closedstacks.ils import views

app_name = "ils"

urlpatterns = [
    path("connections/", scope("connector:manage", views.connections), name="connections"),
    path("connections/new/", scope("connector:manage", views.connection), name="connection-new"),
    path("connections/<int:pk>/", scope("connector:manage", views.connection), name="connection"),
    path("connections/<int:pk>/test/", scope("connector:manage", views.test), name="connection-test"),
    path("connections/<int:pk>/remove/", scope("connector:manage", views.remove), name="connection-remove"),
]
