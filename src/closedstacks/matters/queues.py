"""What waits for whom: the queues on the matters page and the home page.

A queue is a condition over the matters a person may open. A page of it is
read state by state, newest first, straight from the (state, logged_at)
index, and merged: the page costs the same few queries however many
matters there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import get_language

from closedstacks.access.roles import Role
from closedstacks.library.choices import InstrumentType
from closedstacks.matters.finding import Narrowing, narrowed
from closedstacks.matters.models import Deadline, Instrument, Matter
from closedstacks.matters.standing import due_phrase, whose_turn
from closedstacks.matters.states import CLOSED_STATES, OPEN_STATES, Kind, State


def waiting(user) -> tuple[set, Q]:
    """The states in which ``user`` may have the next step, and the condition that they do."""
    roles = user.roles
    states, condition = set(), Q(pk__in=[])
    if Role.OFFICER in roles:
        states |= {State.REFERRED, State.EXPLAINED, State.PRODUCTION_APPROVED, State.RELEASED}
        condition |= Q(state__in=[State.REFERRED, State.EXPLAINED, State.PRODUCTION_APPROVED, State.RELEASED])
    if Role.DIRECTOR in roles:
        mine = {State.RECEIVED, State.SUFFICIENT, State.EMERGENCY_PENDING, State.DEFECTIVE}
        states |= mine | {State.WARRANT_EXECUTED, State.SCOPE_PROPOSED}
        condition |= Q(state__in=mine) | Q(state=State.WARRANT_EXECUTED, counsel__isnull=True)
        condition |= Q(state=State.SCOPE_PROPOSED, awaiting__in=["both", "director"])
    if Role.COUNSEL in roles:
        mine = {State.IN_REVIEW, State.CHALLENGED, State.WARRANT_EXECUTED, State.EMERGENCY_DECIDED,
                State.PRODUCTION_REVIEW}
        states |= mine | {State.SCOPE_PROPOSED}
        condition |= Q(counsel=user, state__in=mine)
        condition |= Q(counsel=user, state=State.SCOPE_PROPOSED, awaiting__in=["both", "counsel"])
    if Role.CUSTODIAN in roles:
        states |= {State.SCOPE_APPROVED, State.PRODUCTION_APPROVED}
        condition |= Q(custodian=user, state__in=[State.SCOPE_APPROVED, State.PRODUCTION_APPROVED])
    return states, condition


def _queue(user, name: str) -> tuple[set, Q]:
    if name == "waiting":
        return waiting(user)
    if name == "open":
        return set(OPEN_STATES), Q()
    return set(CLOSED_STATES), Q()


QUEUES = ("waiting", "open", "closed")


def states_of(name: str) -> set:
    """Every state a matter in queue ``name`` may stand at (for narrowing a queue to one of them)."""
    return set(OPEN_STATES) if name in ("waiting", "open") else set(CLOSED_STATES)


def queue(user, name: str, *, only: str | None = None, narrowing: Narrowing | None = None):
    """The whole queue as one query (for counts and the API); ``only``: matters at that state; ``narrowing``:
    searched and filtered."""
    if only:
        narrowing = replace(narrowing or Narrowing(), state=only)
    states, matters = _narrowed(user, name, narrowing)
    return matters.filter(state__in=states).select_related("counsel")


def count(user, name: str, cap: int = 1000) -> int:
    """How many matters are in a queue, counting no further than ``cap``."""
    return queue(user, name).order_by()[:cap].count()


ROW = ("pk", "reference", "state", "kind", "logged_at", "awaiting", "counsel_id", "custodian_id", "requester_agency",
       "counsel__full_name", "counsel__username")
_STATE = "\x00state\x00"  # stands for the state while the query is compiled once


def _narrowed(user, name: str, narrowing: Narrowing | None) -> tuple[set, object]:
    """The states of queue ``name`` left after ``narrowing``, and the matters ``user`` may open in it."""
    states, condition = _queue(user, name)
    if narrowing is not None:
        states, narrower = narrowed(states, narrowing)
        condition &= narrower
    return states, Matter.objects.visible_to(user).filter(condition)


def page(user, name: str, *, newest_first: bool = True, after: tuple[dt.datetime, int] | None = None,
         size: int = 50, only: str | None = None, narrowing: Narrowing | None = None) -> list[dict]:
    """Up to ``size`` rows of a queue (``only``: at that state; ``narrowing``: searched and filtered), following
    ``after`` (the last one shown), newest or oldest first.

    The query is compiled once, for a placeholder state, and repeated for each
    state of the queue in one UNION ALL: each part reads at most ``size`` rows
    from the (state, logged_at, id) index, and the database merges them and
    keeps the page. Compiling it anew for every state would cost more than
    running it; fetching every state's rows into Python, more than merging.
    """
    if only:
        narrowing = replace(narrowing or Narrowing(), state=only)
    states, base = _narrowed(user, name, narrowing)
    order = ("-logged_at", "-pk") if newest_first else ("logged_at", "pk")
    if after is not None:
        when, pk = after
        if newest_first:
            base = base.filter(Q(logged_at__lt=when) | Q(logged_at=when, pk__lt=pk))
        else:
            base = base.filter(Q(logged_at__gt=when) | Q(logged_at=when, pk__gt=pk))
    if not states:
        return []
    if narrowing is not None and (narrowing.q or narrowing.type or narrowing.waiting_on or narrowing.due):
        # Searched or filtered: the condition is no index's, so one pass over the queue, newest first, finds
        # the page sooner than one pass per state would.
        rows = base.filter(state__in=states).order_by(*order).values_list(*ROW)[:size]
        return _described([dict(zip(ROW, values)) for values in rows])
    query = base.filter(state=_STATE).order_by(*order).values(*ROW)[:size].query
    sql, params = query.sql_with_params()
    slot = params.index(_STATE)
    # One statement: each state's first rows from its own index, merged by the database, the page kept.
    direction = "DESC" if newest_first else "ASC"
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS s{n}" for n in range(len(states)))
    merged = f'SELECT * FROM ({union}) AS merged ORDER BY "logged_at" {direction}, "pk" {direction} LIMIT {int(size)}'
    values = [state if index == slot else value for state in sorted(states) for index, value in enumerate(params)]
    with connection.cursor() as cursor:
        cursor.execute(merged, values)
        found = [dict(zip(ROW, row)) for row in cursor.fetchall()]
    return _described(found)


def page_by_deadline(user, name: str, *, number: int = 1, size: int = 50,
                     narrowing: Narrowing | None = None) -> list[dict]:
    """Page ``number`` (of ``size`` rows) of a queue, the matters whose next unmet deadline is soonest first,
    then those without one, newest first, and one row more if there is a next page. Paged by offset, as the
    deadlines page is."""
    states, base = _narrowed(user, name, narrowing)
    ordered = by_next_deadline(base.filter(state__in=states))
    start = (number - 1) * size
    return _described([dict(zip(ROW, values)) for values in ordered.values_list(*ROW)[start:start + size + 1]])


def by_next_deadline(matters):
    """``matters`` ordered by their next unmet deadline, soonest first, then those without one, newest first."""
    soonest = Deadline.objects.filter(matter=OuterRef("pk"), met_at__isnull=True).order_by("due_on")
    return (matters.annotate(next_due=Subquery(soonest.values("due_on")[:1]))
            .order_by(F("next_due").asc(nulls_last=True), "-logged_at", "-pk"))


def _words(choice) -> str:
    """A choice's label as plain text in the reader's language, worked out once per language: a page of fifty
    rows would otherwise translate each lazy label several times over while it is drawn."""
    key = (type(choice), choice.value, get_language())
    found = _WORDS.get(key)
    if found is None:
        found = _WORDS[key] = str(choice.label)
    return found


_WORDS: dict[tuple, str] = {}


def _described(rows: list[dict]) -> list[dict]:
    """The rows as the list shows them: what each matter is, its case, who has the next step, its next
    deadline (three more queries for the page, however many rows)."""
    pks = [row["pk"] for row in rows]
    instruments = _current_instruments(pks)
    deadlines = next_deadlines([row["pk"] for row in rows if row["state"] not in CLOSED_STATES])
    for row in rows:
        if connection.vendor == "sqlite" and isinstance(row["logged_at"], dt.datetime) \
                and row["logged_at"].tzinfo is None:
            row["logged_at"] = row["logged_at"].replace(tzinfo=dt.timezone.utc)
        row["state_label"] = _words(State(row["state"]))
        current = instruments.get(row["pk"])
        # What the matter is: the instrument it answers (a subpoena, an NSL), else the kind it was logged as.
        row["kind_label"] = _words(InstrumentType(current["type"]) if current else Kind(row["kind"]))
        row["instrument_type"] = current["type"] if current else ""
        row["case"] = (current["case_number"] or current["caption"]) if current else ""
        row["counsel"] = row["counsel__full_name"] or row["counsel__username"] or ""
        row["agency"] = row["requester_agency"]
        turn = whose_turn(row["state"], row["awaiting"], has_counsel=row["counsel_id"] is not None,
                          has_custodian=row["custodian_id"] is not None)
        row["waiting_on"], row["waiting_on_label"] = turn.value, _words(turn)
        row["next_deadline"] = deadlines.get(row["pk"])
    return rows


def next_deadlines(pks: list[int]) -> dict[int, dict]:
    """The next unmet deadline (kind, day, and in words) of each of the matters ``pks``, in one query."""
    found = {}
    for row in (Deadline.objects.filter(matter_id__in=pks, met_at__isnull=True)
                .order_by("matter_id", "due_on", "pk").values("matter_id", "kind", "due_on")):
        if row["matter_id"] not in found:
            found[row["matter_id"]] = {**row, "phrase": due_phrase(row["kind"], row["due_on"])}
    return found


def _current_instruments(pks: list[int]) -> dict[int, dict]:
    """The current instrument (type, case number, caption) of each of the matters ``pks``, in one query."""
    current = {}
    for row in (Instrument.objects.current().filter(matter_id__in=pks)
                .order_by("matter_id", "-pk").values("matter_id", "type", "case_number", "caption")):
        current.setdefault(row["matter_id"], row)
    return current
