"""The director's dashboard: tiles, each for those who may open the list behind it (tiles.py)."""

from django.shortcuts import render

from closedstacks.dashboard.tiles import tiles_for


def dashboard(request):
    return render(request, "dashboard/dashboard.html", {"tiles": tiles_for(request.user)})
