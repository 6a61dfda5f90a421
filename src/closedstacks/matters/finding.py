"""Finding matters in a list: the search box and the filters of the matters page and the API.

A search looks, case-insensitively, for the words typed anywhere in a matter's reference, the requester's name
and agency, and the case number and caption of any of its instruments — never in the users an instrument
designates. It only ever narrows what the person may open (``Matter.objects.visible_to``), so a matter sealed
from them is not found, whatever they type. The words typed identify people: pages and the API take them in a
POSTed body, never in an address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.library.choices import InstrumentType
from closedstacks.matters import search_index
from closedstacks.matters.models import Instrument
from closedstacks.matters.standing import Party, states_waiting_on, whose_turn
from closedstacks.matters.states import CLOSED_STATES, Awaiting, State

# The deadline windows a list can be narrowed to: an unmet deadline of an open matter falling in it.
DUE = {"overdue": _("Overdue"), "next7": _("Due in the next 7 days"), "next30": _("Due in the next 30 days")}
ORDERS = {"newest": _("Newest first"), "oldest": _("Oldest first"), "deadline": _("Next deadline soonest")}
PARTIES = [(party.value, party.label) for party in Party if party != Party.NOBODY]
Q_MAX = 100


@dataclass(frozen=True)
class Narrowing:
    """What a list is narrowed to and how it is ordered (every field optional)."""

    q: str = ""
    state: str = ""
    type: str = ""
    waiting_on: str = ""
    due: str = ""
    order: str = "newest"

    @property
    def narrowed(self) -> bool:
        return bool(self.q or self.state or self.type or self.waiting_on or self.due)


class NarrowingForm(forms.Form):
    """The search box and filters, for a list of the matters at ``states`` (one form for the page and the API)."""

    q = forms.CharField(label=_("Search"), max_length=Q_MAX, required=False,
                        help_text=_("Part of a reference, case number, caption, agency or requester's name."))
    state = forms.ChoiceField(label=_("Stands at"), required=False)
    type = forms.ChoiceField(label=_("Instrument"), required=False,
                             choices=[("", _("Any instrument"))] + list(InstrumentType.choices))
    waiting_on = forms.ChoiceField(label=_("Waiting on"), required=False, choices=[("", _("Anyone"))] + PARTIES)
    due = forms.ChoiceField(label=_("Deadline"), required=False,
                            choices=[("", _("Any or none"))] + list(DUE.items()))
    order = forms.ChoiceField(label=_("Order"), required=False, choices=list(ORDERS.items()))

    def __init__(self, *args, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        shown = [(value, label) for value, label in State.choices if states is None or value in states]
        self.fields["state"].choices = [("", _("Any state"))] + shown

    def clean_q(self) -> str:
        # Control characters are nothing a person types; the words are matched as typed, spaces and all.
        return "".join(ch for ch in self.cleaned_data["q"] if ch.isprintable()).strip()

    def narrowing(self) -> Narrowing:
        data = self.cleaned_data
        return Narrowing(q=data["q"], state=data["state"], type=data["type"], waiting_on=data["waiting_on"],
                         due=data["due"], order=data["order"] or "newest")


def _matter_fields(q: str) -> Q:
    return Q(reference__icontains=q) | Q(requester_agency__icontains=q) | Q(requester_name__icontains=q)


def _instrument_fields(q: str) -> Q:
    return Q(case_number__icontains=q) | Q(caption__icontains=q)


def searched(q: str) -> Q:
    """The condition that a matter's reference, requester, agency or any instrument's case or caption contains
    ``q`` (case-insensitive). The designated users are not looked at."""
    if search_index.available():
        return Q(pk__in=search_index.matching(q))
    instruments = Instrument.objects.filter(_instrument_fields(q))
    return _matter_fields(q) | Q(pk__in=instruments.values("matter_id"))


def searched_plainly(q: str) -> Q:
    """The same condition as ``searched``, looked at matter by matter (each one's own fields and instruments),
    for a search among a few matters rather than the library's."""
    return _matter_fields(q) | Exists(Instrument.objects.filter(_instrument_fields(q), matter=OuterRef("pk")))


def waiting_on(party: str) -> tuple[set, Q]:
    """The states at which a matter may wait on ``party``, and the condition that it does: worked out from
    ``standing.whose_turn`` for every value of what it depends on besides the state, and written as few
    conditions as say the same (a long condition costs more to build than the query costs to run)."""
    states = states_waiting_on(party)
    condition = Q(pk__in=[])
    cases = [(awaiting, counsel, custodian) for awaiting in Awaiting.values for counsel in (True, False)
             for custodian in (True, False)]
    for state in sorted(states):
        hits = {case for case in cases
                if whose_turn(state, case[0], has_counsel=case[1], has_custodian=case[2]) == party}
        if not hits:
            continue
        awaitings, counsels, custodians = ({case[n] for case in hits} for n in range(3))
        if hits == {(a, c, k) for a in awaitings for c in counsels for k in custodians}:
            # One value, or any, for each of the three: one condition.
            part = Q(state=state)
            if awaitings != set(Awaiting.values):
                part &= Q(awaiting__in=sorted(awaitings))
            if len(counsels) == 1:
                part &= Q(counsel__isnull=not next(iter(counsels)))
            if len(custodians) == 1:
                part &= Q(custodian__isnull=not next(iter(custodians)))
            condition |= part
            continue
        for awaiting, counsel, custodian in sorted(hits):
            condition |= Q(state=state, awaiting=awaiting, counsel__isnull=not counsel,
                           custodian__isnull=not custodian)
    return states, condition


def due_window(due: str, today: dt.date | None = None) -> Q:
    """The condition that an open matter's next unmet deadline falls in the window ``due`` (as the list shows
    it: a matter whose next deadline has passed is overdue, whatever comes after)."""
    today = today or timezone.localdate()
    days = {"overdue": Q(next_due_on__lt=today),
            "next7": Q(next_due_on__gte=today, next_due_on__lte=today + dt.timedelta(days=7)),
            "next30": Q(next_due_on__gte=today, next_due_on__lte=today + dt.timedelta(days=30))}[due]
    return days & ~Q(state__in=CLOSED_STATES)


def narrowed(states: set, narrowing: Narrowing) -> tuple[set, Q]:
    """The states left of ``states`` and the condition on a matter, for ``narrowing``."""
    condition = Q()
    if narrowing.state:
        states = states & {narrowing.state}
    if narrowing.waiting_on:
        waiting_states, waits = waiting_on(narrowing.waiting_on)
        states, condition = states & waiting_states, condition & waits
    if narrowing.due:
        states, condition = states - set(CLOSED_STATES), condition & due_window(narrowing.due)
    if narrowing.type:
        condition &= Q(instrument_type=narrowing.type)  # the current instrument's, copied to the matter
    if narrowing.q:
        condition &= searched(narrowing.q)
    return states, condition
