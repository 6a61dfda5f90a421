"""What the people on a matter add to its file beside the procedure's moves: notes and correspondence, further
documents, and deadlines extended by agreement with the issuing party.

Each is for the people on the matter only (everyone else: not found, as if it did not exist), is made under the
matter's lock, and is on the audit trail by reference — never by what a note says or who it names.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from closedstacks.access.scopes import user_has_scope
from closedstacks.audit import changes
from closedstacks.audit.trail import record
from closedstacks.documents import uploads
from closedstacks.matters import summary as list_summary
from closedstacks.matters.errors import MatterNotFound, ProcedureError, StaleMatter
from closedstacks.matters.models import (
    Deadline,
    DeadlineExtension,
    DeadlineReminder,
    Matter,
    MatterDocument,
    MatterEvent,
    MatterNote,
    ReviewDraft,
)
from closedstacks.matters.reading import on_matter
from closedstacks.matters.states import DeadlineKind
from closedstacks.matters.wording import english, said

# Who may agree a deadline with the issuing party: the officer and the director (who hold the instrument) and
# counsel (who negotiates it) — of the people on the matter.
EXTEND_SCOPES = ("matter:instrument", "matter:review")


@contextmanager
def on_the_matter(reference: str, by, version: int | None):
    """The matter ``reference``, locked, if ``by`` is one of the people on it; otherwise not found."""
    with changes.locked(Matter.objects.visible_to(by), reference=reference, version=version,
                        missing=MatterNotFound(_("No such matter.")),
                        stale=StaleMatter(_("The matter changed since you opened it."))) as matter:
        if not on_matter(matter, by):
            raise MatterNotFound(_("No such matter."))
        yield matter


def add_note(reference: str, *, by, kind: str, happened_at, parties: str, summary: str,
             version: int | None = None) -> MatterNote:
    """Record a note on the matter ``reference``; only the people on it may (everyone else: not found)."""
    if kind not in MatterNote.Kind.values:
        raise ProcedureError(_("Choose what kind of entry this is."))
    if not summary.strip():
        raise ProcedureError(_("Say what happened."))
    if happened_at > timezone.now() + timedelta(minutes=5):
        raise ProcedureError(_("A note records what has happened: its time cannot be in the future."))
    with on_the_matter(reference, by, version) as matter:
        note = MatterNote.objects.create(matter=matter, kind=kind, happened_at=happened_at,
                                         parties=parties.strip(), summary=summary.strip(), recorded_by=by)
        record("matter.note_added", actor=by, obj=note, details={"note": note.pk, "kind": kind})
        return note


def set_letter_language(reference: str, *, by, language: str, version: int | None = None) -> Matter:
    """The language the matter's letters to its requester are written in (empty: the library's)."""
    from django.conf import settings

    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise ProcedureError(_("Choose one of the languages offered."))
    with on_the_matter(reference, by, version) as matter:
        before = matter.letter_language
        matter.letter_language = language
        matter.save(update_fields=["letter_language"])
        record("matter.letter_language_set", actor=by, obj=matter, details={"from": before, "to": language})
        return matter


def add_document(reference: str, *, by, kind: str, title: str, upload, version: int | None = None
                 ) -> MatterDocument:
    """Attach a further document to the matter, checked like every upload (a file that cannot be accepted is
    refused with UploadRefused, and nothing is stored)."""
    if kind not in MatterDocument.Kind.values:
        raise ProcedureError(_("Choose what kind of document this is."))
    if not title.strip():
        raise ProcedureError(_("Say what the document is."))
    if upload is None:
        raise ProcedureError(_("Choose the file to attach."))
    content_type, data = uploads.check(upload)
    with on_the_matter(reference, by, version) as matter:
        stored = uploads.store_bytes(data, content_type=content_type, original_name=upload.name or "", by=by)
        document = MatterDocument.objects.create(matter=matter, kind=kind, title=title.strip()[:200], file=stored,
                                                 added_by=by)
        record("matter.document_added", actor=by, obj=document,
               details={"document": document.pk, "kind": kind, "file": stored.sha256})
        return document


def may_extend(matter: Matter, user, *, on: bool | None = None) -> bool:
    """Whether ``user`` may record an extension (``on``: whether they are on the matter, if already known)."""
    return not matter.is_closed and (on_matter(matter, user) if on is None else on) and any(
        user_has_scope(user, scope) for scope in EXTEND_SCOPES)


def extend_deadline(reference: str, deadline_id: int, *, by, to_day: dt.date, agreed_with: str, reason: str,
                    version: int | None = None) -> DeadlineExtension:
    """Move an unmet deadline to a later day agreed with the issuing party, with whom and why; its reminders
    start again for the new day."""
    if not any(user_has_scope(by, scope) for scope in EXTEND_SCOPES):
        raise ProcedureError(_("Only the officer, the director or counsel can record an extension."))
    if not agreed_with.strip():
        raise ProcedureError(_("Say who agreed the extension for the issuing party."))
    if not reason.strip():
        raise ProcedureError(_("Say why the deadline was extended."))
    with on_the_matter(reference, by, version) as matter:
        if matter.is_closed:
            raise ProcedureError(_("The matter is closed: its deadlines can no longer change."))
        deadline = Deadline.objects.select_for_update().filter(matter=matter, pk=deadline_id).first()
        if deadline is None:
            raise MatterNotFound(_("No such deadline on this matter."))
        if deadline.met_at is not None:
            raise ProcedureError(_("This deadline has been met: there is nothing to extend."))
        if to_day <= deadline.due_on:
            raise ProcedureError(_("An extension moves the deadline later than %(day)s.")
                                 % {"day": deadline.due_on.isoformat()})
        extension = DeadlineExtension.objects.create(deadline=deadline, from_day=deadline.due_on, to_day=to_day,
                                                     agreed_with=agreed_with.strip()[:300], reason=reason.strip(),
                                                     recorded_by=by)
        deadline.due_on = to_day
        deadline.save(update_fields=["due_on"])
        DeadlineReminder.objects.filter(deadline=deadline).delete()  # remind again before the new day
        list_summary.refresh(matter)
        matter.save(update_fields=list(list_summary.FIELDS))
        line = said(gettext_noop("%(deadline)s extended from %(from)s to %(to)s, agreed with %(who)s: %(reason)s"),
                    deadline=DeadlineKind(deadline.kind).label, to=to_day, who=extension.agreed_with,
                    reason=extension.reason, **{"from": extension.from_day})
        MatterEvent.objects.create(matter=matter, actor=by, action="extend_deadline", summary=english(line)[:300],
                                   message=line.message, params=line.params)
        record("matter.deadline_extended", actor=by, obj=deadline,
               details={"deadline": deadline.pk, "kind": deadline.kind, "from": extension.from_day.isoformat(),
                        "to": to_day.isoformat()})
        return extension


# Counsel's review can be saved half-way: the answers so far, for their author only.
DRAFTED = frozenset({"determine", "review_after"})


def save_draft(reference: str, move: str, *, by, data: dict) -> ReviewDraft:
    """Keep what ``by`` has entered in the review ``move`` so far (nothing is decided)."""
    if move not in DRAFTED:
        raise ProcedureError(_("Only counsel's review can be saved as a draft."))
    with on_the_matter(reference, by, None) as matter:
        kept = {name: value for name, value in data.items()
                if name not in ("csrfmiddlewaretoken", "version", "save_draft", "confirm")}
        draft, _created = ReviewDraft.objects.update_or_create(
            matter=matter, author=by, move=move, defaults={"data": kept, "saved_at": timezone.now()})
        record("matter.review_draft_saved", actor=by, obj=draft, details={"draft": draft.pk, "move": move})
        return draft


def draft_for(matter: Matter, user, move: str) -> ReviewDraft | None:
    if move not in DRAFTED:
        return None
    return ReviewDraft.objects.filter(matter=matter, author=user, move=move).first()


def discard_draft(matter: Matter, user, move: str) -> None:
    ReviewDraft.objects.filter(matter=matter, author=user, move=move).delete()
