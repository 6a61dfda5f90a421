"""A URL configuration with a view that declares no scope, for the deny-by-default test."""

from django.http import HttpResponse
from django.urls import include, path


def forgotten(request):
    return HttpResponse("should never be served")


urlpatterns = [
    path("undeclared/", forgotten),
    path("", include("closedstacks.web.urls")),
    path("", include("closedstacks.accounts.urls")),
]
