"""Notes and correspondence on a matter, added by the people on it, audited by reference."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.audit import changes
from closedstacks.audit.trail import record
from closedstacks.matters.errors import MatterNotFound, ProcedureError, StaleMatter
from closedstacks.matters.models import Matter, MatterNote
from closedstacks.matters.reading import on_matter


def add_note(reference: str, *, by, kind: str, happened_at, parties: str, summary: str,
             version: int | None = None) -> MatterNote:
    """Record a note on the matter ``reference``; only the people on it may (everyone else: not found)."""
    if kind not in MatterNote.Kind.values:
        raise ProcedureError(_("Choose what kind of entry this is."))
    if not summary.strip():
        raise ProcedureError(_("Say what happened."))
    if happened_at > timezone.now() + timedelta(minutes=5):
        raise ProcedureError(_("A note records what has happened: its time cannot be in the future."))
    with changes.locked(Matter.objects.visible_to(by), reference=reference, version=version,
                        missing=MatterNotFound(_("No such matter.")),
                        stale=StaleMatter(_("The matter changed since you opened it."))) as matter:
        if not on_matter(matter, by):
            raise MatterNotFound(_("No such matter."))
        note = MatterNote.objects.create(matter=matter, kind=kind, happened_at=happened_at,
                                         parties=parties.strip(), summary=summary.strip(), recorded_by=by)
        record("matter.note_added", actor=by, obj=note, details={"note": note.pk, "kind": kind})
        return note
