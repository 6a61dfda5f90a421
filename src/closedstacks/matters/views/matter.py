"""One matter: what it is, where it stands, what may happen next — and the steps themselves."""

from __future__ import annotations

import hashlib
import secrets

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from closedstacks.audit.trail import record
from closedstacks.documents import uploads, viewing
from closedstacks.documents.models import StoredFile
from closedstacks.documents.responses import download, picture
from closedstacks.documents.uploads import UploadRefused
from closedstacks.matters import casefile, confirming, letters, reading, standing, verifying, wording
from closedstacks.matters.counting import may_count
from closedstacks.matters.forms import (
    ACTION_FORMS,
    DocumentForm,
    ExtensionForm,
    LetterLanguageForm,
    NoteForm,
    VerificationForm,
)
from closedstacks.matters.models import Instrument, Matter, MatterDocument, MatterNote, Review, ScopeApproval
from closedstacks.matters.procedure import (
    MOVES,
    MatterNotFound,
    ProcedureError,
    StaleMatter,
    available,
    check,
    perform,
    record_refusal,
)
from closedstacks.matters.states import State
from closedstacks.web import kept

# What the matter page shows is kept between changes (web/kept.py): for the person, their session, the matter
# and its version, the trail's latest change and the minute. Its forms carry this placeholder where each
# showing puts the request's own CSRF token.
_KEPT = kept.Keeper(256)
_TOKEN = "csrf" + secrets.token_hex(16)


def _page(request, matter: Matter, *, status: int = 200, problem: str = ""):
    def work() -> str:
        # Drawn from what _content gathers alone (no request: the page around it runs the context processors).
        return get_template("matters/detail_content.html").render(
            {**_content(request, matter, problem), "csrf_token": _TOKEN})

    session = request.session.session_key
    key = None if status != 200 or problem or not session else kept.moment(
        request.user.pk, hashlib.sha256(session.encode()).hexdigest(), matter.pk, matter.version, matter.state)
    token = get_token(request)  # one for the whole response, the page around the content included
    content = _KEPT.kept(key, work).replace(_TOKEN, token)
    return render(request, "matters/detail.html",
                  {"matter": matter, "content": mark_safe(content), "csrf_token": token},  # noqa: S308
                  status=status)


def _content(request, matter: Matter, problem: str) -> dict:
    instruments = (matter.instruments.select_related("file")
                   .prefetch_related("designated_users",
                                     Prefetch("reviews", queryset=Review.objects.select_related("counsel")
                                              .prefetch_related("defects").order_by("decided_at")))
                   .order_by("-pk"))
    scopes = (matter.scopes.select_related("proposed_by")
              .prefetch_related("users", Prefetch("approvals", queryset=ScopeApproval.objects.select_related(
                  "approver"))).order_by("-pk"))
    instruments = list(instruments)
    holds = list(matter.holds.select_related("designated"))
    verifications = list(matter.verifications.select_related("authority", "recorded_by"))
    timeline = _timeline(matter, verifications)
    current = next((i for i in instruments if not i.superseded_by_id), None)
    main, others = standing.primary(matter, available(matter, request.user, opened=True))
    deadlines = list(matter.deadlines.prefetch_related("extensions"))
    on = reading.on_matter(matter, request.user)
    may_verify = verifying.may_verify(matter, request.user, on=on)
    verified = bool(verifying.sufficient(matter, verifications, current))  # as the gate sees it
    if may_verify and not verified and matter.state in verifying.NEEDED_AT:
        # Nothing is approved or disclosed until someone verifies the request: that is the next step.
        main, others = None, [move for move in (main, *others) if move is not None]
    return {
        "matter": matter,
        "title": standing.title(matter, current),
        "standing": standing.standing(matter, deadlines),
        "road": standing.road(matter.kind, [row["to_state"] for row in timeline if row.get("to_state")],
                              matter.state),
        "main_move": main,
        "other_moves": others,
        "holds_in_force": sum(1 for hold in holds if not hold.lifted_at),
        "problem": problem,
        "instruments": instruments,
        "scopes": list(scopes),
        "explanations": matter.explanations.select_related("policy", "recorded_by"),
        "deadlines": deadlines,
        "events": timeline,
        "members": matter.members.select_related("user") if matter.under_nondisclosure else [],
        "incidents": matter.incidents.all(),
        "holds": holds,
        "holds_attention": [hold for hold in holds if hold.protects_nobody],
        "productions": matter.productions.select_related("requested_by", "reviewed_by", "release")
                                         .order_by("-number"),
        "can_count": may_count(matter, request.user),
        "warrant": getattr(matter, "warrant", None) if matter.kind == "warrant" else None,
        "emergency": getattr(matter, "emergency", None) if matter.kind == "emergency" else None,
        "consent": getattr(matter, "consent", None) if matter.kind in ("guardian", "consent") else None,
        "letters": letters.available(matter, instruments=instruments),
        "letter_language": LetterLanguageForm(initial={"language": matter.letter_language}),
        "may_note": on,
        "may_extend": casefile.may_extend(matter, request.user, on=on),
        "note_kinds": MatterNote.Kind.choices,
        "document_kinds": MatterDocument.Kind.choices,
        "documents": matter.documents.select_related("file", "added_by"),
        "verifications": verifications,
        "verified": verified,
        "verify_first": may_verify and not verified and matter.state in verifying.NEEDED_AT,
        "flagged": [v for v in verifications if v.mismatches],
        "may_verify": may_verify,
        "verification_form": VerificationForm(auto_id="verify-%s"),
    }


def review(request, reference: str, review_id: int):
    """Counsel's checklist for one review, item by item, as it was answered."""
    matter = reading.open_matter(request.user, reference, look=None)
    found = Review.objects.filter(pk=review_id, instrument__matter=matter).select_related(
        "counsel", "instrument").first()
    if found is None:
        raise Http404
    reading.looked(request.user, matter, "review", review=found.pk)
    return render(request, "matters/review.html", {"matter": matter, "review": found,
                                                   "answers": found.answers.all()})


def _timeline(matter: Matter, verifications: list) -> list[dict]:
    rows = list(matter.events.values("at", "to_state", "summary", "message", "params", "actor__full_name",
                                     "actor__username"))
    for row in rows:
        if row["message"]:  # what happened, in the reader's language
            row["summary"] = wording.render(row["message"], row["params"] or {})
        row["actor"] = row["actor__full_name"] or row["actor__username"] or _("the system")
        row["to_label"] = State(row["to_state"]).label if row["to_state"] else ""
    for made in verifications:
        by = made.recorded_by.get_full_name() or made.recorded_by.get_username()
        outcome = _("confirmed") if made.counts else _("did not match") if made.mismatches else _("not confirmed")
        rows.append({"at": made.recorded_at, "actor": by, "to_label": "",
                     "summary": _("Requester verified (%(how)s): %(outcome)s") % {
                         "how": made.get_method_display().lower(), "outcome": outcome}})
    for note in matter.notes.select_related("recorded_by"):
        by = note.recorded_by.get_full_name() or note.recorded_by.get_username()
        rows.append({"at": note.happened_at, "actor": by, "to_label": "", "note": note,
                     "summary": note.get_kind_display()})
    rows.sort(key=lambda row: row["at"])
    return rows


def _step_page(request, matter: Matter, move, form, *, status: int = 200, unconfirmed: bool = False, draft=None):
    reading.looked(request.user, matter, "step", move=move.name)
    context = {"matter": matter, "move": move, "form": form, "restated": confirming.restatement(matter, move.name),
               "unconfirmed": unconfirmed, "draft": draft, "may_draft": move.name in casefile.DRAFTED}
    if move.name in ("approve_scope", "return_scope"):
        # What is being decided: the proposed scope beside what the instrument designates.
        scope = matter.scopes.filter(status="proposed").prefetch_related("users").order_by("-pk").first()
        if scope is not None:
            context.update(scope=scope, can_count=may_count(matter, request.user),
                           scope_users=list(scope.users.all()), instrument=scope.instrument,
                           instrument_users=list(scope.instrument.designated_users.all()))
    if move.name in ("approve_scope", "decide_emergency"):
        context["verified_by"] = verifying.sufficient(matter)  # what the decision rests on
    if move.name in VIEWED_BESIDE and reading.on_matter(matter, request.user):
        context["viewer"] = _viewer(matter)
    return render(request, "matters/act.html", context, status=status)


# The steps taken with the instrument open beside the form.
VIEWED_BESIDE = frozenset({"determine", "review_after", "challenge_outcome", "propose_scope", "approve_scope",
                           "return_scope"})


def _viewer(matter: Matter) -> dict | None:
    """The current instrument's pages, drawn on the server (documents/viewing.py), for the viewer."""
    instrument = matter.current_instrument()
    stored = instrument.file if instrument is not None else None
    if not viewing.viewable(stored):
        return None
    return {"instrument": instrument, "file": stored, "pages": range(1, viewing.page_count(stored) + 1)}


def _matter_page(request, matter: Matter, *, status: int = 200, problem: str = ""):
    reading.looked(request.user, matter, "page")
    return _page(request, matter, status=status, problem=problem)


def _refused(request, matter: Matter, problem: str, *, status: int):
    """A step the person may not take: why, and the way back — nothing of what the matter holds."""
    return render(request, "matters/refused.html", {"matter": matter, "problem": problem}, status=status)


def detail(request, reference: str):
    matter = reading.open_matter(request.user, reference, look="page", related=("officer", "counsel", "custodian"))
    return _page(request, matter)


def act(request, reference: str, action: str):
    """One step, on a page of its own: the form (GET), then the move (POST)."""
    matter = reading.open_matter(request.user, reference, look=None)
    if action not in MOVES:
        raise Http404
    try:
        move = check(matter, action, request.user)
    except ProcedureError as exc:
        if request.method == "POST":
            record_refusal(matter, action, request.user, str(exc))
        return _refused(request, matter, str(exc), status=409 if request.method == "POST" else 403)
    if request.method != "POST":
        draft = casefile.draft_for(matter, request.user, action)
        form = ACTION_FORMS[action](matter=matter, initial=dict(draft.data) if draft else {})
        return _step_page(request, matter, move, form, draft=draft)
    form = ACTION_FORMS[action](request.POST, request.FILES, matter=matter)
    if request.POST.get("save_draft") and action in casefile.DRAFTED:
        draft = casefile.save_draft(matter.reference, action, by=request.user, data=request.POST.dict())
        messages.success(request, _("Draft saved: nothing is decided until you record the determination."))
        return _step_page(request, matter, move, ACTION_FORMS[action](matter=matter, initial=dict(draft.data)),
                          draft=draft)
    if action in confirming.IRREVERSIBLE and not confirming.confirmed(request.POST):
        # A step that cannot be undone waits for its confirmation; nothing is done, nothing entered is lost.
        form.is_valid()
        return _step_page(request, matter, move, form, status=400, unconfirmed=True)
    if form.is_valid():
        try:
            perform(matter, action, by=request.user, version=form.cleaned_data["version"], **form.to_kwargs())
        except StaleMatter as exc:
            matter.refresh_from_db()
            return _matter_page(request, matter, status=409, problem=str(exc))
        except (ProcedureError, UploadRefused) as exc:
            form.add_error(None, str(exc))
        else:
            casefile.discard_draft(matter, request.user, action)
            messages.success(request, _("Done: %(move)s.") % {"move": move.label})
            return redirect("matters:detail", reference=matter.reference)
    return _step_page(request, matter, move, form, status=400)


def _matter_file(matter: Matter, file_id: int) -> StoredFile:
    """One of the matter's own files (its desk document, a further document, an instrument's); 404 otherwise."""
    linked = ({matter.desk_document_id} | set(matter.documents.values_list("file_id", flat=True))
              | set(Instrument.objects.filter(matter=matter).values_list("file_id", flat=True)))
    if file_id not in linked:
        raise Http404
    return StoredFile.objects.get(pk=file_id)


def document(request, reference: str, file_id: int):
    """An instrument or desk document, as a download under a name we make, and audited: for the people on the
    matter only."""
    matter = reading.open_for_files(request.user, reference)
    stored = _matter_file(matter, file_id)
    with transaction.atomic():
        record("matter.document_downloaded", actor=request.user, obj=matter, details={"file": stored.sha256})
    return download(uploads.read(stored), content_type=stored.content_type,
                    filename=f"matter-{matter.reference}-document-{stored.pk}.{stored.extension}")


def document_page(request, reference: str, file_id: int, page: int):
    """One page of a matter's document drawn as a picture for the viewer beside a step: for the people on the
    matter only, and each page looked at is on the trail."""
    matter = reading.open_for_files(request.user, reference)
    stored = _matter_file(matter, file_id)
    try:
        data = viewing.page_picture(stored, page)
    except viewing.NoSuchPage:
        raise Http404 from None
    with transaction.atomic():
        record("matter.document_viewed", actor=request.user, obj=matter,
               details={"file": stored.sha256, "page": page})
    return picture(data)


def letter(request, reference: str, kind: str):
    matter = reading.open_matter(request.user, reference, look=None)  # the letter's own entry is its look
    if kind not in letters.available(matter):
        raise Http404
    data = letters.render(matter, kind)
    with transaction.atomic():
        record("matter.letter_generated", actor=request.user, obj=matter, details={"letter": kind})
    return download(data, content_type="application/pdf", filename=f"matter-{matter.reference}-{kind}.pdf")



def _file_change(request, reference: str, form_class, change, *, done: str, refused: str):
    """A change the people on a matter make to its file from its page (POST): 404 for everyone else; a refusal
    shows the page again with why, and nothing is saved."""
    matter = reading.open_matter(request.user, reference, look=None)
    if not reading.on_matter(matter, request.user):
        raise Http404
    if request.method != "POST":
        return redirect("matters:detail", reference=matter.reference)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        return _matter_page(request, matter, status=400, problem=_("%(what)s: %(errors)s") % {
            "what": refused, "errors": errors})
    try:
        change(matter.reference, by=request.user, **form.cleaned_data)
    except MatterNotFound:
        raise Http404 from None
    except (ProcedureError, UploadRefused) as exc:
        return _matter_page(request, matter, status=400, problem=str(exc))
    messages.success(request, done)
    return redirect("matters:detail", reference=matter.reference)


def add_document(request, reference: str):
    """A further document on the matter, checked like every upload."""
    return _file_change(request, reference, DocumentForm, casefile.add_document, done=_("Document attached."),
                        refused=_("The document was not attached"))


def extend_deadline(request, reference: str, deadline_id: int):
    """A deadline extended by agreement with the issuing party."""
    def change(ref, **data):
        return casefile.extend_deadline(ref, deadline_id, **data)
    return _file_change(request, reference, ExtensionForm, change, done=_("Deadline extended."),
                        refused=_("The deadline was not extended"))


def letter_language(request, reference: str):
    """The language of the matter's letters to its requester."""
    return _file_change(request, reference, LetterLanguageForm, casefile.set_letter_language,
                        done=_("The language of the letters is saved."),
                        refused=_("The language of the letters was not changed"))


def add_note(request, reference: str):
    """A note or correspondence on the matter's timeline."""
    return _file_change(request, reference, NoteForm, casefile.add_note, done=_("Note added."),
                        refused=_("The note was not saved"))


def verify(request, reference: str):
    """How the requester was verified through the directory; what did not match is flagged."""
    return _file_change(request, reference, VerificationForm, verifying.record_verification,
                        done=_("The verification is recorded."), refused=_("The verification was not recorded"))


def report_mismatch(request, reference: str, verification_id: int):
    """A report for the officer of what did not match in one verification."""
    def change(ref, *, by):
        return verifying.report_mismatch(ref, verification_id, by=by)
    return _file_change(request, reference, forms.Form, change, done=_("A report is open for the officer."),
                        refused=_("No report was opened"))
