from django.urls import path

from closedstacks.access.scopes import SIGNED_IN, scope
from closedstacks.notices import views

app_name = "notices"

urlpatterns = [
    path("notices/", scope(SIGNED_IN, views.inbox), name="inbox"),
    path("notices/read/", scope(SIGNED_IN, views.mark_read), name="mark-read"),
]
