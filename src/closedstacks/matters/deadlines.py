"""Deadlines on a matter, and the reminders sent before them.

Return dates, the last day to object, cure deadlines and the end of a
nondisclosure order become Deadline rows. ``send_due_reminders`` (run by
``closedstacks deadlines remind``, e.g. from cron each morning) tells the people on
the matter at the lead times the library chose, and once more when overdue.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from closedstacks.access.roles import Role
from closedstacks.library.models import LibraryProfile
from closedstacks.matters.models import Deadline, DeadlineReminder, Instrument, Matter, visibility
from closedstacks.matters.states import CLOSED_STATES, DeadlineKind
from closedstacks.notices.services import notify

FROM_INSTRUMENT = (DeadlineKind.RETURN, DeadlineKind.OBJECTION, DeadlineKind.NONDISCLOSURE)


def set_from_instrument(matter: Matter, instrument: Instrument) -> None:
    """Replace the unmet deadlines an earlier instrument set with those of ``instrument``."""
    matter.deadlines.filter(kind__in=FROM_INSTRUMENT, met_at__isnull=True).delete()
    due = {
        DeadlineKind.RETURN: timezone.localtime(instrument.return_at).date() if instrument.return_at else None,
        DeadlineKind.OBJECTION: instrument.objection_deadline(),
        DeadlineKind.NONDISCLOSURE: instrument.nondisclosure_until if instrument.nondisclosure else None,
    }
    Deadline.objects.bulk_create([Deadline(matter=matter, kind=kind, due_on=day)
                                  for kind, day in due.items() if day is not None])


def set_cure(matter: Matter, day: dt.date) -> None:
    matter.deadlines.filter(kind=DeadlineKind.CURE, met_at__isnull=True).delete()
    Deadline.objects.create(matter=matter, kind=DeadlineKind.CURE, due_on=day)


def meet(matter: Matter, kind: str) -> None:
    matter.deadlines.filter(kind=kind, met_at__isnull=True).update(met_at=timezone.now())


def open_deadlines(user):
    """Unmet deadlines on open matters ``user`` may see, soonest first."""
    return (Deadline.objects.filter(visibility(user, outer="matter"), met_at__isnull=True)
            .exclude(matter__state__in=CLOSED_STATES).select_related("matter").order_by("due_on", "pk"))


def _recipients(matter: Matter) -> list:
    from closedstacks.matters.steps.common import audience, officers

    people = officers(matter) + audience(matter, Role.DIRECTOR)
    if matter.counsel_id:
        people.append(matter.counsel)
    return people


def send_due_reminders(today: dt.date | None = None) -> int:
    """Send the reminders that are due and not yet sent; return how many deadlines were reminded."""
    today = today or timezone.localdate()
    leads = LibraryProfile.current().lead_days
    horizon = today + dt.timedelta(days=max(leads, default=0))
    sent = 0
    due = (Deadline.objects.filter(met_at__isnull=True, due_on__lte=horizon)
           .exclude(matter__state__in=CLOSED_STATES).select_related("matter"))
    for deadline in due:
        days_left = (deadline.due_on - today).days
        lead = -1 if days_left < 0 else min((d for d in leads if d >= days_left), default=None)
        if lead is None:
            continue
        with transaction.atomic():
            _, created = DeadlineReminder.objects.get_or_create(deadline=deadline, lead_days=lead)
            if not created:
                continue
            notify(_recipients(deadline.matter), template="deadline_overdue" if lead < 0 else "deadline_reminder",
                   context={"matter": deadline.matter, "deadline": deadline, "days_left": days_left},
                   url=f"/matters/{deadline.matter.reference}/", matter=deadline.matter)
            from closedstacks.audit.trail import record

            record("deadline.reminded", obj=deadline.matter,
                   details={"deadline": deadline.kind, "due_on": deadline.due_on.isoformat(), "lead_days": lead})
            sent += 1
    return sent
