"""What waits for whom: the queues on the matters page and the home page.

Each role's queue is one filter over the matters that person may open, so a
queue page costs the same few queries however many matters there are.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from closedstacks.access.roles import Role
from closedstacks.matters.models import Matter, Scope, ScopeApproval
from closedstacks.matters.states import CLOSED_STATES, State


def _approved_by(role: str):
    return Exists(ScopeApproval.objects.filter(scope__matter=OuterRef("pk"), scope__status=Scope.Status.PROPOSED,
                                               as_role=role))


def waiting_filter(user) -> Q:
    """Matters on which ``user`` has the next step."""
    roles = user.roles
    waiting = Q(pk__in=[])
    if Role.OFFICER in roles:
        waiting |= Q(state__in=[State.REFERRED, State.EXPLAINED])
    if Role.DIRECTOR in roles:
        waiting |= Q(state__in=[State.RECEIVED, State.SUFFICIENT, State.EMERGENCY_PENDING, State.DEFECTIVE])
        waiting |= Q(state=State.WARRANT_EXECUTED, counsel__isnull=True)
        waiting |= Q(state=State.SCOPE_PROPOSED) & ~Q(_approved_by("director"))
    if Role.COUNSEL in roles:
        mine = Q(counsel=user)
        waiting |= mine & Q(state__in=[State.IN_REVIEW, State.CHALLENGED, State.WARRANT_EXECUTED,
                                        State.EMERGENCY_DECIDED])
        waiting |= mine & Q(state=State.SCOPE_PROPOSED) & ~Q(_approved_by("counsel"))
    if Role.CUSTODIAN in roles:
        waiting |= Q(custodian=user, state=State.SCOPE_APPROVED)
    return waiting


QUEUES = {
    "waiting": lambda user, qs: qs.filter(waiting_filter(user)).exclude(state__in=CLOSED_STATES),
    "open": lambda user, qs: qs.exclude(state__in=CLOSED_STATES),
    "closed": lambda user, qs: qs.filter(state__in=CLOSED_STATES),
}


def queue(user, name: str):
    base = Matter.objects.visible_to(user).select_related("counsel", "custodian")
    return QUEUES[name](user, base)
