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


def whose_turn(state: str, awaiting: str = "", *, has_counsel: bool = True, has_custodian: bool = True) -> Party:
    """Who has the next step of a matter at ``state`` (``awaiting``: Matter.awaiting; ``has_counsel``,
    ``has_custodian``: whether they are assigned — until they are, the director has the step of assigning)."""
    if state in CLOSED_STATES:
        return Party.NOBODY
    if state == State.SCOPE_PROPOSED and awaiting in AWAITING:
        return AWAITING[awaiting]
    if (state == State.WARRANT_EXECUTED and not has_counsel) or (state == State.SCOPE_APPROVED
                                                                 and not has_custodian):
        return Party.DIRECTOR
    return TURN.get(state, Party.OFFICER)


def states_waiting_on(party: str) -> set[str]:
    """The states at which a matter may wait on ``party`` (for filtering a list); a scope may wait on one
    approver or both."""
    found = {state for state, whose in TURN.items() if whose == party}
    if party in (Party.DIRECTOR, Party.COUNSEL):
        found.add(State.SCOPE_PROPOSED)
    if party == Party.DIRECTOR:
        found |= {State.WARRANT_EXECUTED, State.SCOPE_APPROVED}
    return found


def standing(matter, deadlines: list | None = None) -> dict:
    """Whose turn it is on ``matter`` (the party, and the person when one is assigned) and its next deadline
    (``deadlines``: all of the matter's, if already read)."""
    party = whose_turn(matter.state, matter.awaiting, has_counsel=bool(matter.counsel_id),
                       has_custodian=bool(matter.custodian_id))
    person = {Party.COUNSEL: matter.counsel, Party.CUSTODIAN: matter.custodian,
              Party.OFFICER: matter.officer}.get(party)
    if matter.is_closed:
        due = None
    elif deadlines is not None:
        due = min((d for d in deadlines if d.met_at is None), key=lambda d: (d.due_on, d.pk), default=None)
    else:
        due = matter.deadlines.filter(met_at__isnull=True).order_by("due_on", "pk").first()
    return {"party": party, "person": person, "deadline": due,
            "due": due_phrase(due.kind, due.due_on) if due else "",
            "overdue": bool(due and days_to(due.due_on) < 0)}


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


def title(matter, instrument=None) -> str:
    """What the matter is, as a person names it: the instrument and its case ("Subpoena duces tecum — State v.
    Doe, No. 24-CR-118"), else the kind of request and who made it."""
    if instrument is not None:
        case = ", ".join(part for part in (instrument.caption, instrument.case_number) if part)
        kind = instrument.get_type_display()
        return f"{kind} — {case}" if case else str(kind)
    kind = matter.get_kind_display()
    who = matter.requester_agency
    return _("%(kind)s from %(who)s") % {"kind": kind, "who": who} if who else str(kind)


# The roads a matter may take, for the picture on its page: the main road, and the branches that leave it.
MAIN = [State.REFERRED, State.EXPLAINED, State.RECEIVED, State.IN_REVIEW, State.SUFFICIENT, State.SCOPE_PROPOSED,
        State.SCOPE_APPROVED, State.PRODUCTION_REVIEW, State.PRODUCTION_APPROVED, State.RELEASED, State.CLOSED]
WARRANT = [State.REFERRED, State.WARRANT_EXECUTED, State.CLOSED]
EMERGENCY = [State.REFERRED, State.EMERGENCY_PENDING, State.EMERGENCY_DECIDED, State.CLOSED]
# Where the road goes on from a state off it: after a cure, counsel reviews again; a failed challenge goes on.
RESUMES = {State.DEFECTIVE: State.IN_REVIEW, State.CHALLENGED: State.SUFFICIENT}

STEP_LABELS = {
    State.REFERRED: _("Referred"),
    State.EXPLAINED: _("Policy explained"),
    State.RECEIVED: _("Instrument"),
    State.IN_REVIEW: _("Counsel's review"),
    State.DEFECTIVE: _("Defective: cure"),
    State.CHALLENGED: _("Challenged"),
    State.SUFFICIENT: _("Sufficient"),
    State.SCOPE_PROPOSED: _("Scope proposed"),
    State.SCOPE_APPROVED: _("Scope approved"),
    State.PRODUCTION_REVIEW: _("Production reviewed"),
    State.PRODUCTION_APPROVED: _("Production approved"),
    State.RELEASED: _("Released"),
    State.WARRANT_EXECUTED: _("Warrant executed"),
    State.EMERGENCY_PENDING: _("Emergency request"),
    State.EMERGENCY_DECIDED: _("Director's decision"),
    State.DECLINED: _("Declined"),
    State.QUASHED: _("Quashed"),
    State.WITHDRAWN: _("Withdrawn"),
    State.CLOSED: _("Closed"),
}


def road_for(kind: str) -> list[str]:
    return {"warrant": WARRANT, "emergency": EMERGENCY}.get(kind, MAIN)


def road(kind: str, visited: list[str], state: str) -> list[dict]:
    """The picture of the road: the states the matter has been through (``visited``, in order, from its
    timeline), where it is now, and what lies ahead on the road of its kind (a warrant's, an emergency's or the
    main one; consent and a guardian's request join the main road at the instrument)."""
    passed = []
    for step in visited:
        if not passed or passed[-1] != step:
            passed.append(step)
    if not passed or passed[-1] != state:
        passed.append(state)
    route = road_for(kind)
    ahead: list[str] = []
    if state not in CLOSED_STATES:
        resume = RESUMES.get(state, state)
        if resume in route:
            ahead = route[route.index(resume) + (0 if resume != state else 1):]
    consent = kind in ("guardian", "consent")
    steps = []
    for index, step in enumerate(passed):
        current = index == len(passed) - 1
        steps.append({"state": step, "label": _label(step, consent),
                      "status": ("done" if step in CLOSED_STATES else "current") if current else "done"})
    steps += [{"state": step, "label": _label(step, consent), "status": "ahead"} for step in ahead]
    return steps


def _label(state: str, consent: bool) -> str:
    if consent and state == State.RECEIVED:
        return _("Consent recorded")
    return STEP_LABELS.get(state, state)


# The step that moves a matter on, at each state, in the order to offer it; everything else a person may do
# is offered beside it, not as the main action.
NEXT = {
    State.REFERRED: ["explain_policy"],
    State.EXPLAINED: ["attach_instrument", "record_consent", "record_warrant", "record_emergency", "decline"],
    State.RECEIVED: ["assign_counsel"],
    State.IN_REVIEW: ["determine"],
    State.DEFECTIVE: ["cure"],
    State.CHALLENGED: ["challenge_outcome"],
    State.SUFFICIENT: ["propose_scope"],
    State.SCOPE_PROPOSED: ["approve_scope"],
    State.SCOPE_APPROVED: ["assign_custodian", "compile_production"],
    State.PRODUCTION_REVIEW: ["approve_production"],
    State.PRODUCTION_APPROVED: ["release_production"],
    State.RELEASED: ["close_released"],
    State.WARRANT_EXECUTED: ["assign_counsel", "review_after"],
    State.EMERGENCY_PENDING: ["decide_emergency"],
    State.EMERGENCY_DECIDED: ["review_after"],
}


def primary(matter, moves: list) -> tuple[object | None, list]:
    """(the one step to offer as the main action, the others) from the moves a person may make now."""
    names = {move.name: move for move in moves}
    wanted = NEXT.get(matter.state, [])
    if matter.state in (State.SCOPE_APPROVED, State.WARRANT_EXECUTED):
        # assigning is the next step only while nobody holds the part
        held = matter.custodian_id if matter.state == State.SCOPE_APPROVED else matter.counsel_id
        wanted = wanted[1:] if held else wanted
    for name in wanted:
        if name in names:
            main = names[name]
            return main, [move for move in moves if move is not main]
    return None, list(moves)
