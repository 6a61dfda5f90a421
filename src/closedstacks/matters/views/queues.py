"""Queues per role, and deadlines."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import render

from closedstacks.matters.deadlines import open_deadlines
from closedstacks.matters.paging import PER_PAGE, page_of
from closedstacks.matters.queues import QUEUES, page

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
    newest = request.GET.get("order", "newest") != "oldest"
    after = _after(request.GET.get("after", ""))
    rows = page(request.user, name, newest_first=newest, after=after, size=PER_PAGE + 1)
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    following = f"{rows[-1]['logged_at'].isoformat()}~{rows[-1]['pk']}" if more and rows else ""
    return render(request, "matters/queue.html", {"rows": rows, "current": name, "newest": newest,
                                                  "following": following, "first_page": after is None})


def deadlines(request):
    found, sort = page_of(open_deadlines(request.user), request, orderings=DEADLINE_ORDER, default="soonest")
    return render(request, "matters/deadlines.html", {"page": found, "sort": sort, "orderings": DEADLINE_ORDER})
