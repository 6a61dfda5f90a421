"""Queues per role, and deadlines."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django_tables2 import RequestConfig

from closedstacks.matters.deadlines import open_deadlines
from closedstacks.matters.queues import QUEUES, queue
from closedstacks.matters.tables import DeadlineTable, MatterTable


def matter_queue(request, name: str = "waiting"):
    if name not in QUEUES:
        raise Http404
    table = MatterTable(queue(request.user, name))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "matters/queue.html", {"table": table, "current": name})


def deadlines(request):
    table = DeadlineTable(open_deadlines(request.user))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "matters/deadlines.html", {"table": table})
