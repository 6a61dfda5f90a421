"""What a matter's row says of its instruments and deadlines, for the lists: the current instrument's type and
case (``instrument_type``, ``instrument_case``) and the next unmet deadline of an open matter (``next_due_on``,
``next_due_kind``).

They are copies, kept in step here: every move of the procedure refreshes them before the matter is saved
(procedure.py), and so does anything that changes a deadline outside a move (an extension, casefile.py). With
them, a page of a list, its instrument filter and its deadline order read the matters' own row and indexes,
however many matters there are, instead of looking into every matter's instruments and deadlines.
"""

from __future__ import annotations

from django.db.models import Case, CharField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from closedstacks.matters.models import Deadline, Instrument, Matter
from closedstacks.matters.states import CLOSED_STATES

FIELDS = ("instrument_type", "instrument_case", "next_due_on", "next_due_kind")


def _current(matter_id):
    return Instrument.objects.current().filter(matter_id=matter_id).order_by("-pk")


def _next(matter_id):
    return Deadline.objects.filter(matter_id=matter_id, met_at__isnull=True).order_by("due_on", "pk")


def refresh(matter: Matter) -> None:
    """Set the copies on ``matter`` from its instruments and deadlines as they are now (the caller saves it)."""
    instrument = _current(matter.pk).values("type", "case_number", "caption").first()
    matter.instrument_type = instrument["type"] if instrument else ""
    matter.instrument_case = (instrument["case_number"] or instrument["caption"]) if instrument else ""
    due = None if matter.state in CLOSED_STATES else _next(matter.pk).values("due_on", "kind").first()
    matter.next_due_on = due["due_on"] if due else None
    matter.next_due_kind = due["kind"] if due else ""


def refresh_all(matters=None) -> int:
    """Set the copies of every matter (or of ``matters``) in a few statements, from what is stored: for a
    migration, and to repair them. How many matters."""
    matters = Matter.objects.all() if matters is None else matters
    current = _current(OuterRef("pk"))
    case = Case(When(~Q(case_number=""), then="case_number"), default="caption", output_field=CharField())
    upcoming = _next(OuterRef("pk"))
    done = matters.update(
        instrument_type=Coalesce(Subquery(current.values("type")[:1]), Value("")),
        instrument_case=Coalesce(Subquery(current.annotate(case=case).values("case")[:1]), Value("")))
    matters.filter(state__in=CLOSED_STATES).update(next_due_on=None, next_due_kind="")
    matters.exclude(state__in=CLOSED_STATES).update(
        next_due_on=Subquery(upcoming.values("due_on")[:1]),
        next_due_kind=Coalesce(Subquery(upcoming.values("kind")[:1]), Value("")))
    return done
