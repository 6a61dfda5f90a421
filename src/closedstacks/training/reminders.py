"""Reminders before training lapses, and a notice once it has.

``send_due_reminders`` (run by ``closedstacks training remind``, e.g. from
cron each morning) looks at every module each active person must take. When
their newest completion expires within one of the library's lead times
(``LibraryProfile.training_lead_days``, 30 and 7 days by default), they get a
reminder at that lead time; when it has expired, or they never completed it,
they get one notice that it is overdue. Each is sent once (a
:class:`ReminderSent` row per person, module, expiry and lead time); one
person's reminders of a run go in one e-mail.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from closedstacks.accounts.models import User
from closedstacks.audit.trail import record
from closedstacks.library.models import LibraryProfile
from closedstacks.notices.services import notify
from closedstacks.training.models import ReminderSent
from closedstacks.training.status import assigned, latest_expiries, published_modules

OVERDUE = -1


def lead_for(expires_at: dt.datetime | None, today: dt.date, leads: list[int]) -> tuple[int | None, int | None]:
    """``(lead time to remind at, days left)``: OVERDUE once expired or never completed; None: nothing yet."""
    if expires_at is None:
        return OVERDUE, None
    days_left = (timezone.localdate(expires_at) - today).days
    if days_left < 0:
        return OVERDUE, days_left
    return min((lead for lead in leads if lead >= days_left), default=None), days_left


def send_due_reminders(today: dt.date | None = None) -> int:
    """Send the reminders that are due and not yet sent; return how many (person × module) were reminded."""
    today = today or timezone.localdate()
    leads = LibraryProfile.current().training_lead_days
    modules, expiries = published_modules(), latest_expiries()
    sent = 0
    for person in User.objects.filter(is_active=True).prefetch_related("role_grants"):
        pending = []
        for module in assigned(modules, person.roles):
            expires_at = expiries.get((person.pk, module.pk))
            lead, days_left = lead_for(expires_at, today, leads)
            if lead is not None:
                pending.append({"module": module, "expires_at": expires_at, "lead": lead, "days_left": days_left})
        if pending:
            sent += _remind(person, pending)
    if sent:
        with transaction.atomic():
            record("training.reminders_sent", details={"count": sent, "date": today.isoformat()})
    return sent


def _remind(person, pending: list[dict]) -> int:
    with transaction.atomic():
        new = [item for item in pending if ReminderSent.objects.get_or_create(
            user=person, module=item["module"], expires_at=item["expires_at"], lead_days=item["lead"])[1]]
        due = [item for item in new if item["lead"] != OVERDUE]
        overdue = [item for item in new if item["lead"] == OVERDUE]
        if due:
            notify([person], template="training_due", context={"items": due}, url="/training/")
        if overdue:
            notify([person], template="training_overdue", context={"items": overdue}, url="/training/")
    return len(new)
