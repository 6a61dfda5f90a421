"""Where a matter stands, as the people working it read it: whose turn it is, the next deadline, its title,
the road it is on (the main road or a branch) and the one step that moves it on.

Nothing here decides anything: the procedure (procedure.py) and its gates do. This module only describes.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from closedstacks.matters.states import CLOSED_STATES, State


class Party(models.TextChoices):
    """Who has the next step of a matter."""

    OFFICER = "officer", _("the responsible officer")
    DIRECTOR = "director", _("the director")
    COUNSEL = "counsel", _("counsel")
    DIRECTOR_AND_COUNSEL = "director_counsel", _("the director and counsel")
    CUSTODIAN = "custodian", _("the records custodian")
    ISSUER = "issuer", _("the issuing party (to cure the defects)")
    COURT = "court", _("the court (on the motion to quash)")
    NOBODY = "", _("no one: the matter is closed")


# Whose turn it is at each state. A proposed scope waits on whoever has not yet approved it (Matter.awaiting).
TURN = {
    State.REFERRED: Party.OFFICER,
    State.EXPLAINED: Party.OFFICER,
    State.RECEIVED: Party.DIRECTOR,
    State.IN_REVIEW: Party.COUNSEL,
    State.DEFECTIVE: Party.ISSUER,
    State.CHALLENGED: Party.COURT,
    State.SUFFICIENT: Party.DIRECTOR,
    State.SCOPE_PROPOSED: Party.DIRECTOR_AND_COUNSEL,
    State.SCOPE_APPROVED: Party.CUSTODIAN,
    State.PRODUCTION_REVIEW: Party.COUNSEL,
    State.PRODUCTION_APPROVED: Party.OFFICER,
    State.RELEASED: Party.OFFICER,
    State.WARRANT_EXECUTED: Party.COUNSEL,
    State.EMERGENCY_PENDING: Party.DIRECTOR,
    State.EMERGENCY_DECIDED: Party.COUNSEL,
}
AWAITING = {"both": Party.DIRECTOR_AND_COUNSEL, "director": Party.DIRECTOR, "counsel": Party.COUNSEL}


def whose_turn(state: str, awaiting: str = "", *, has_counsel: bool = True) -> Party:
    """Who has the next step of a matter at ``state`` (``awaiting``: Matter.awaiting; ``has_counsel``: whether
    counsel is assigned, without whom a warrant's review waits on the director to assign one)."""
    if state in CLOSED_STATES:
        return Party.NOBODY
    if state == State.SCOPE_PROPOSED and awaiting in AWAITING:
        return AWAITING[awaiting]
    if state == State.WARRANT_EXECUTED and not has_counsel:
        return Party.DIRECTOR
    return TURN.get(state, Party.OFFICER)


def states_waiting_on(party: str) -> set[str]:
    """The states at which a matter may wait on ``party`` (for filtering a list); a scope may wait on one
    approver or both."""
    found = {state for state, whose in TURN.items() if whose == party}
    if party in (Party.DIRECTOR, Party.COUNSEL):
        found.add(State.SCOPE_PROPOSED)
    if party == Party.DIRECTOR:
        found.add(State.WARRANT_EXECUTED)
    return found


def days_to(day: dt.date, *, today: dt.date | None = None) -> int:
    return (day - (today or timezone.localdate())).days


# A deadline named inside a sentence ("13 days to the return date").
DEADLINE_NAMES = {
    "return": _("the return date"),
    "objection": _("the last day to object"),
    "cure": _("the cure deadline"),
    "nondisclosure": _("the end of the nondisclosure order"),
}


def due_phrase(kind: str, day: dt.date, *, today: dt.date | None = None) -> str:
    """"13 days to the return date", "the return date is today", "the cure deadline: 3 days overdue"."""
    days = days_to(day, today=today)
    what = str(DEADLINE_NAMES.get(kind, kind))
    if days > 0:
        return ngettext("%(n)d day to %(what)s", "%(n)d days to %(what)s", days) % {"n": days, "what": what}
    if days == 0:
        return _("%(what)s is today") % {"what": what}
    return ngettext("%(what)s: %(n)d day overdue", "%(what)s: %(n)d days overdue", -days) % {"n": -days,
                                                                                             "what": what}
