from django.urls import path
from django.views.i18n import set_language

from closedstacks.access.scopes import PUBLIC, SIGNED_IN, scope
from closedstacks.web import views

app_name = "web"

urlpatterns = [
    path("", scope(SIGNED_IN, views.home), name="home"),
    path("health/", scope(PUBLIC, views.health), name="health"),
    path("language/", scope(PUBLIC, set_language), name="set-language"),
]
