from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from closedstacks.web.home import panels_for


def home(request):
    return render(request, "web/home.html", {"panels": panels_for(request.user)})


def health(request):
    """For load balancers and monitoring: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    return render(request, "web/csrf_failure.html", status=403)
