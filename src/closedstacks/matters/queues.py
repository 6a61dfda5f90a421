"""What waits for whom: the queues on the matters page and the home page.

A queue is a condition over the matters a person may open. A page of it is
read state by state, newest first, straight from the (state, logged_at)
index, and merged: the page costs the same few queries however many
matters there are.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Q

from closedstacks.access.roles import Role
from closedstacks.library.choices import InstrumentType
from closedstacks.matters.models import Instrument, Matter
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


def queue(user, name: str, *, only: str | None = None):
    """The whole queue as one query (for counts and the API); ``only``: matters at that state."""
    states, condition = _queue(user, name)
    if only:
        states = states & {only}
    return Matter.objects.visible_to(user).filter(condition, state__in=states).select_related("counsel")


def count(user, name: str, cap: int = 1000) -> int:
    """How many matters are in a queue, counting no further than ``cap``."""
    return queue(user, name).order_by()[:cap].count()


ROW = ("pk", "reference", "state", "kind", "logged_at", "counsel__full_name", "counsel__username")
_STATE = "\x00state\x00"  # stands for the state while the query is compiled once


def page(user, name: str, *, newest_first: bool = True, after: tuple[dt.datetime, int] | None = None,
         size: int = 50, only: str | None = None) -> list[dict]:
    """Up to ``size`` rows of a queue (``only``: at that state), following ``after`` (the last one shown), newest
    or oldest first.

    The query is compiled once, for a placeholder state, and run once per
    state of the queue: each run reads at most ``size`` rows from the
    (state, logged_at, id) index. Compiling it anew for every state would
    cost more than running it.
    """
    states, condition = _queue(user, name)
    if only:
        states = states & {only}
    base = Matter.objects.visible_to(user).filter(condition)
    order = ("-logged_at", "-pk") if newest_first else ("logged_at", "pk")
    if after is not None:
        when, pk = after
        if newest_first:
            base = base.filter(Q(logged_at__lt=when) | Q(logged_at=when, pk__lt=pk))
        else:
            base = base.filter(Q(logged_at__gt=when) | Q(logged_at=when, pk__gt=pk))
    query = base.filter(state=_STATE).order_by(*order).values(*ROW)[:size].query
    sql, params = query.sql_with_params()
    slot = params.index(_STATE)
    found = []
    with connection.cursor() as cursor:
        for state in sorted(states):
            cursor.execute(sql, [state if index == slot else value for index, value in enumerate(params)])
            found += [dict(zip(ROW, values)) for values in cursor.fetchall()]
    found.sort(key=lambda row: (row["logged_at"], row["pk"]), reverse=newest_first)
    instruments = _current_instruments([row["pk"] for row in found[:size]])
    for row in found[:size]:
        if connection.vendor == "sqlite" and isinstance(row["logged_at"], dt.datetime) \
                and row["logged_at"].tzinfo is None:
            row["logged_at"] = row["logged_at"].replace(tzinfo=dt.timezone.utc)
        row["state_label"] = State(row["state"]).label
        current = instruments.get(row["pk"])
        # What the matter is: the instrument it answers (a subpoena, an NSL), else the kind it was logged as.
        row["kind_label"] = InstrumentType(current["type"]).label if current else Kind(row["kind"]).label
        row["case"] = (current["case_number"] or current["caption"]) if current else ""
        row["counsel"] = row["counsel__full_name"] or row["counsel__username"] or ""
    return found[:size]


def _current_instruments(pks: list[int]) -> dict[int, dict]:
    """The current instrument (type, case number, caption) of each of the matters ``pks``, in one query."""
    current = {}
    for row in (Instrument.objects.filter(matter_id__in=pks, superseded_by__isnull=True)
                .order_by("matter_id", "-pk").values("matter_id", "type", "case_number", "caption")):
        current.setdefault(row["matter_id"], row)
    return current
