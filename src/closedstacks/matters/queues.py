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
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language

from closedstacks.access.roles import Role
from closedstacks.library.choices import InstrumentType
from closedstacks.matters import search_index
from closedstacks.matters.finding import Narrowing, narrowed, searched_plainly
from closedstacks.matters.models import Matter
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
       "counsel__full_name", "counsel__username", "instrument_type", "instrument_case", "next_due_on", "next_due_kind")
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
    following = _following(after, newest_first)
    base = base.filter(following)
    if not states:
        return []
    if narrowing is not None and (narrowing.q or narrowing.type or narrowing.waiting_on or narrowing.due):
        # Searched or filtered: the condition is no index's, so one pass over the queue, newest first, finds
        # the page sooner than one pass per state would.
        rows = None
        if narrowing.q and search_index.available():
            rows = _searched_quickly(user, name, narrowing, states, following, order, size)
        if rows is None:
            rows = base.filter(state__in=states).order_by(*order).values_list(*ROW)[:size]
        return _described([dict(zip(ROW, values)) for values in rows])
    merged, values = _merged(base.filter(state=_STATE).order_by(*order).values(*ROW)[:size], states, "*",
                             newest_first, size)
    with connection.cursor() as cursor:
        cursor.execute(merged, values)
        found = [dict(zip(ROW, row)) for row in cursor.fetchall()]
    return _described(found)


def _merged(per_state, states: set, columns: str, newest_first: bool, size: int) -> tuple[str, list]:
    """One statement: ``per_state`` (a query of matters at the placeholder state, in the list's order, selecting
    "logged_at" and "pk") for each of ``states``, each part read from its own (state, logged_at, id) index, merged
    by the database and the first ``size`` kept; ``columns`` of them selected."""
    sql, params = per_state.query.sql_with_params()
    slot = params.index(_STATE)
    direction = "DESC" if newest_first else "ASC"
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS s{n}" for n in range(len(states)))
    merged = (f'SELECT {columns} FROM ({union}) AS merged ORDER BY "logged_at" {direction}, "pk" {direction} '
              f'LIMIT {int(size)}')
    values = [state if index == slot else value for state in sorted(states) for index, value in enumerate(params)]
    return merged, values


def _following(after: tuple[dt.datetime, int] | None, newest_first: bool) -> Q:
    """The condition that a matter comes after ``after`` (the last one shown) in the list's order."""
    if after is None:
        return Q()
    when, pk = after
    if newest_first:
        return Q(logged_at__lt=when) | Q(logged_at=when, pk__lt=pk)
    return Q(logged_at__gt=when) | Q(logged_at=when, pk__gt=pk)


# How many of the queue's next matters a search first looks through, word by word, before it asks the index.
LATEST = 500


# A search matching no more matters than this is answered from their ids, looked up first in the index.
FEW = 500


def _searched_quickly(user, name, narrowing, states, following, order, size) -> list | None:
    """The page of a search by the quickest way the words allow, or None for the index's own query: words found
    in few matters (a case number) are looked up in the index alone, and the page read from their ids; words
    common to many (an agency's name) are looked for among the latest matters first."""
    few = search_index.few_matching(narrowing.q, FEW)
    if few is not None:
        _states, base = _narrowed(user, name, replace(narrowing, q=""))
        return list(base.filter(following, state__in=states, pk__in=few).order_by(*order).values_list(*ROW)[:size])
    if search_index.folds_like_the_plain_search(narrowing.q):
        return _searched_among_the_latest(user, name, narrowing, states, following, order, size)
    return None


def _searched_among_the_latest(user, name, narrowing, states, following, order, size) -> list | None:
    """The page of a search, if the next ``LATEST`` matters of the queue (in the list's order) hold a whole page
    of matches — then no match outside them comes sooner — else None (the index is asked).

    Words common to many matters (an agency's name) find a page among the latest at once, where the index would
    list every one of their thousands of matches first; rare words (a case number) find too few here and go to
    the index, which finds them at once. Not where the plain search folds case otherwise than the index (words
    beyond ASCII on SQLite)."""
    plain = replace(narrowing, q="")
    _states, base = _narrowed(user, name, plain)
    # The latest of each state from its own index, merged: one pass over the (logged_at) index, testing each
    # matter's state, reads the matters of every other state on the way.
    latest = RawSQL(*_merged(Matter.objects.filter(following, state=_STATE).order_by(*order)
                             .values("pk", "logged_at")[:LATEST], states, '"pk"', order[0].startswith("-"), LATEST))
    rows = list(base.filter(following, searched_plainly(narrowing.q), state__in=states, pk__in=latest)
                .order_by(*order).values_list(*ROW)[:size])
    return rows if len(rows) == size else None


def page_by_deadline(user, name: str, *, number: int = 1, size: int = 50,
                     narrowing: Narrowing | None = None) -> list[dict]:
    """Page ``number`` (of ``size`` rows) of a queue, the matters whose next unmet deadline is soonest first,
    then those without one, newest first, and one row more if there is a next page. Paged by offset, as the
    deadlines page is.

    Read in two parts, each in the order of the (next_due_on, logged_at, id) index: the matters with a next
    deadline, then, once they are used up, those without. In one query, which puts the matters without a
    deadline last, the database would sort every matter of the queue first."""
    states, base = _narrowed(user, name, narrowing)
    base = base.filter(state__in=states)
    start, wanted = (number - 1) * size, size + 1
    dated = base.filter(next_due_on__isnull=False).order_by("next_due_on", "-logged_at", "-pk")
    rows = list(dated.values_list(*ROW)[start:start + wanted])
    if len(rows) < wanted:
        # How far into the matters without a deadline this page begins.
        dated_total = start + len(rows) if rows else dated.count()
        undated = base.filter(next_due_on__isnull=True).order_by("-logged_at", "-pk")
        begin = max(start - dated_total, 0)
        rows += list(undated.values_list(*ROW)[begin:begin + wanted - len(rows)])
    return _described([dict(zip(ROW, values)) for values in rows])


def by_next_deadline(matters):
    """``matters`` ordered by their next unmet deadline, soonest first, then those without one, newest first."""
    return matters.order_by(F("next_due_on").asc(nulls_last=True), "-logged_at", "-pk")


def _words(choice, language: str) -> str:
    """A choice's label as plain text in ``language``, worked out once per language: a page of fifty rows would
    otherwise translate each lazy label several times over while it is drawn."""
    key = (type(choice), choice.value, language)
    found = _WORDS.get(key)
    if found is None:
        found = _WORDS[key] = str(choice.label)
    return found


_WORDS: dict[tuple, str] = {}


def _described(rows: list[dict]) -> list[dict]:
    """The rows as the list shows them: what each matter is, its case, who has the next step, its next
    deadline — all from the matter's own row (its copies of its instrument and next deadline, summary.py)."""
    language = get_language()
    naive_utc = connection.vendor == "sqlite"
    phrases: dict[tuple, str] = {}  # many rows share a kind of deadline and a day
    today = timezone.localdate()
    for row in rows:
        if naive_utc and isinstance(row["logged_at"], dt.datetime) and row["logged_at"].tzinfo is None:
            row["logged_at"] = row["logged_at"].replace(tzinfo=dt.timezone.utc)
        row["state_label"] = _words(State(row["state"]), language)
        # What the matter is: the instrument it answers (a subpoena, an NSL), else the kind it was logged as.
        kind = row["instrument_type"]
        row["kind_label"] = _words(InstrumentType(kind) if kind in InstrumentType.values else Kind(row["kind"]),
                                   language)
        row["case"] = row["instrument_case"]
        row["counsel"] = row["counsel__full_name"] or row["counsel__username"] or ""
        row["agency"] = row["requester_agency"]
        turn = whose_turn(row["state"], row["awaiting"], has_counsel=row["counsel_id"] is not None,
                          has_custodian=row["custodian_id"] is not None)
        row["waiting_on"], row["waiting_on_label"] = turn.value, _words(turn, language)
        due_on, due_kind = row["next_due_on"], row["next_due_kind"]
        if due_on is None or row["state"] in CLOSED_STATES:
            row["next_deadline"] = None
            continue
        phrase = phrases.get((due_kind, due_on))
        if phrase is None:
            phrase = phrases[due_kind, due_on] = due_phrase(due_kind, due_on, today=today)
        row["next_deadline"] = {"kind": due_kind, "due_on": due_on, "phrase": phrase}
    return rows
