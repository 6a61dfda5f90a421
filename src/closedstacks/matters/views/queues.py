"""Queues per role, and deadlines."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from closedstacks.matters.deadlines import open_deadlines
from closedstacks.matters.finding import Narrowing, NarrowingForm
from closedstacks.matters.listing import rows_html
from closedstacks.matters.paging import PER_PAGE, page_of
from closedstacks.matters.queues import QUEUES, page, page_by_deadline, states_of
from closedstacks.matters.states import State

DEADLINE_ORDER = {"soonest": ("due_on", "pk"), "latest": ("-due_on", "-pk")}


def _after(value: str) -> tuple[dt.datetime, int] | None:
    """The 'after' cursor: the last matter of the previous page, as <ISO time>~<id>."""
    when, _, pk = value.partition("~")
    try:
        return dt.datetime.fromisoformat(when), int(pk)
    except ValueError:
        return None


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and 0 < int(value) < 100000 else 1


def matter_queue(request, name: str = "waiting"):
    """A queue, searched and filtered. The search words arrive POSTed (they may name a person: never in an
    address); the filters alone may come in the address, as the dashboard's links give them."""
    if name not in QUEUES:
        raise Http404
    data = request.POST.copy() if request.method == "POST" else request.GET.copy()
    if request.method != "POST":
        data.pop("q", None)
    states = states_of(name)
    if data.get("state", "") and data.get("state") not in states:
        raise Http404
    form = NarrowingForm(data, states=states)
    if not form.is_valid():
        return render(request, "matters/queue.html", {"form": form, "rows": [], "current": name,
                                                      "narrowing": Narrowing()}, status=400)
    narrowing = form.narrowing()
    number, after, following, previous = 1, None, "", 0
    if narrowing.order == "deadline":
        number = _page_number(data.get("page", ""))
        rows = page_by_deadline(request.user, name, number=number, size=PER_PAGE, narrowing=narrowing)
        following = str(number + 1) if len(rows) > PER_PAGE else ""
        previous = number - 1
    else:
        after = _after(data.get("after", ""))
        rows = page(request.user, name, newest_first=narrowing.order != "oldest", after=after,
                    size=PER_PAGE + 1, narrowing=narrowing)
        more = len(rows) > PER_PAGE
        following = f"{rows[PER_PAGE - 1]['logged_at'].isoformat()}~{rows[PER_PAGE - 1]['pk']}" if more else ""
    kept = {key: value for key, value in form.cleaned_data.items() if value}
    return render(request, "matters/queue.html", {
        "form": form, "rows": rows[:PER_PAGE], "rows_html": rows_html(rows[:PER_PAGE]), "current": name,
        "narrowing": narrowing, "kept": kept,
        "following": following, "previous": previous, "first_page": after is None and number == 1,
        "only_label": State(narrowing.state).label if narrowing.state else ""})


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
