"""Legal holds: placed when an instrument designating users arrives, lifted only when its matter closes.

Both run inside the transaction of the procedure step that causes them
(``perform``), so a matter never closes with a hold left in force, and an
instrument is never on file without its holds. Each hold placed or lifted is
an audit entry that names the hold, the matter and the kinds — never the user.
"""

from __future__ import annotations

from django.utils import timezone

from closedstacks.audit.trail import record
from closedstacks.ils.lookup import current_connection
from closedstacks.records.models import LegalHold
from closedstacks.records.tasks import resolve_holds


def place_for(instrument, *, by) -> list[LegalHold]:
    """One hold per user the instrument designates, for its kinds and dates (none given: everything)."""
    placed = []
    for person in instrument.designated_users.all():
        hold = LegalHold.objects.create(matter=instrument.matter, instrument=instrument, designated=person,
                                        record_kinds=list(instrument.record_kinds), date_from=instrument.date_from,
                                        date_to=instrument.date_to, placed_by=by)
        record("hold.placed", actor=by, obj=hold, details={
            "matter": instrument.matter.reference, "instrument": instrument.pk, "kinds": hold.record_kinds,
            "from": hold.date_from.isoformat() if hold.date_from else None,
            "to": hold.date_to.isoformat() if hold.date_to else None})
        placed.append(hold)
    if placed and current_connection() is not None:
        resolve_holds.enqueue(instrument.matter_id)  # find them in the library system, after this commits
    return placed


def needing_attention(holds=None):
    """Holds in force whose designated user matches no one, or several people, in the library system (a hold on
    nobody, or on people nobody designated): shown on the matter and the officer's home page; retention waits."""
    holds = LegalHold.objects.all() if holds is None else holds
    return [hold for hold in holds.protecting_nobody().select_related("matter", "designated")
            if hold.protects_nobody]


def lift_unresolved_of(instrument, *, by) -> int:
    """An amended instrument replaces ``instrument``: its holds that matched no one, or several people, are lifted
    (the amendment names the users again and places its own holds)."""
    holds = [hold for hold in LegalHold.objects.in_force().filter(instrument=instrument).select_for_update()
             if hold.protects_nobody]
    return _lift(holds, by, lambda hold: {"matter": instrument.matter.reference, "reason": "superseded",
                                          "resolution": hold.resolution})


def lift_for(matter, *, by) -> int:
    """Lift every hold of a matter that has closed."""
    holds = LegalHold.objects.in_force().filter(matter=matter).select_for_update()
    return _lift(holds, by, lambda hold: {"matter": matter.reference, "state": matter.state})


def _lift(holds, by, details) -> int:
    """Lift each hold now, each an audit entry (``details(hold)``); how many."""
    now, lifted = timezone.now(), 0
    for hold in holds:
        hold.lifted_at, hold.lifted_by = now, by
        hold.save(update_fields=["lifted_at", "lifted_by"])
        record("hold.lifted", actor=by, obj=hold, details=details(hold))
        lifted += 1
    return lifted
