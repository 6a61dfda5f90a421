"""Queues per role, and deadlines."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from closedstacks.matters.deadlines import open_deadlines
from closedstacks.matters.paging import PER_PAGE, page_of
from closedstacks.matters.queues import QUEUES, page, states_of
from closedstacks.matters.states import State

DEADLINE_ORDER = {"soonest": ("due_on", "pk"), "latest": ("-due_on", "-pk")}


def _after(value: str) -> tuple[dt.datetime, int] | None:
    """The 'after' cursor: the last matter of the previous page, as <ISO time>~<id>."""
    when, _, pk = value.partition("~")
    try:
        return dt.datetime.fromisoformat(when), int(pk)
    except ValueError:
        return None


def matter_queue(request, name: str = "waiting"):
    if name not in QUEUES:
        raise Http404
    only = request.GET.get("state", "")
    if only and only not in states_of(name):
        raise Http404
    newest = request.GET.get("order", "newest") != "oldest"
    after = _after(request.GET.get("after", ""))
    rows = page(request.user, name, newest_first=newest, after=after, size=PER_PAGE + 1, only=only or None)
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    following = f"{rows[-1]['logged_at'].isoformat()}~{rows[-1]['pk']}" if more and rows else ""
    return render(request, "matters/queue.html", {
        "rows": rows, "current": name, "newest": newest, "following": following, "first_page": after is None,
        "only": only, "only_label": State(only).label if only else "", "keep": f"&state={only}" if only else ""})


# What the deadlines page can be narrowed to (the dashboard links to each).
DUE = {"overdue": lambda qs, today: qs.filter(due_on__lt=today),
       "next14": lambda qs, today: qs.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=14))}


def deadlines(request):
    due = request.GET.get("due", "")
    if due and due not in DUE:
        raise Http404
    found = open_deadlines(request.user)
    if due:
        found = DUE[due](found, timezone.localdate())
    found, sort = page_of(found, request, orderings=DEADLINE_ORDER, default="soonest")
    return render(request, "matters/deadlines.html", {"page": found, "sort": sort, "orderings": DEADLINE_ORDER,
                                                      "due": due, "keep": f"&due={due}" if due else ""})
