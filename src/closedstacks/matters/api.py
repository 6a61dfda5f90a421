"""The procedure over JSON: the same services, the same forms, the same rules as the pages.

A move is posted as ``{"version": <the version you saw>, "data": {...}}`` where
``data`` holds the fields of that move's form (``GET /api/v1/moves`` lists
them). Files are not taken here: attach them on the page.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from closedstacks.access.api import Scope
from closedstacks.documents.uploads import UploadRefused
from closedstacks.matters import casefile, reading, verifying
from closedstacks.matters.errors import MatterNotFound, ProcedureError, StaleMatter
from closedstacks.matters.finding import NarrowingForm
from closedstacks.matters.forms import (
    ACTION_FORMS,
    DocumentForm,
    ExtensionForm,
    InquiryForm,
    NoteForm,
    VerificationForm,
)
from closedstacks.matters.models import Matter
from closedstacks.matters.procedure import MOVES, available, perform
from closedstacks.matters.queues import QUEUES, by_next_deadline, queue, states_of
from closedstacks.matters.steps.intake import log_inquiry

router = Router(tags=["matters"])


class MatterRow(Schema):
    reference: str
    state: str
    state_label: str
    kind: str
    logged_at: dt.datetime
    nondisclosure_in_force: bool


class Event(Schema):
    at: dt.datetime
    action: str
    to_state: str
    summary: str


class DesignatedOut(Schema):
    id: int
    identifier_type: str
    value: str
    date_of_birth: dt.date | None = None


class InstrumentOut(Schema):
    id: int
    type: str
    issuing_authority: str
    case_number: str
    return_at: dt.datetime | None
    record_kinds: list[str]
    date_from: dt.date | None
    date_to: dt.date | None
    nondisclosure: bool
    superseded: bool
    designated: list[DesignatedOut]


class MoveOut(Schema):
    name: str
    label: str


class MatterOut(MatterRow):
    version: int
    requester_name: str
    requester_agency: str
    channel: str
    request_text: str
    counsel: str | None
    custodian: str | None
    instruments: list[InstrumentOut]
    moves: list[MoveOut]
    timeline: list[Event]


class InquiryIn(Schema):
    requester_name: str
    requester_agency: str = ""
    requester_id: str = ""
    requester_contact: str = ""
    channel: str
    request_text: str
    document_presented: bool = False
    threatening: bool = False


class Receipt(Schema):
    reference: str
    receipt_url: str


class MoveIn(Schema):
    version: int
    data: dict = {}


class Moved(Schema):
    reference: str
    state: str
    version: int


class Problem(Schema):
    detail: str
    errors: dict = {}


class FieldOut(Schema):
    name: str
    required: bool
    kind: str
    choices: list[str] = []


class MoveForm(Schema):
    name: str
    label: str
    fields: list[FieldOut]


def _row(matter: Matter) -> dict:
    return {"reference": matter.reference, "state": matter.state, "state_label": str(matter.get_state_display()),
            "kind": matter.kind, "logged_at": matter.logged_at, "nondisclosure_in_force": matter.under_nondisclosure}


class FindIn(Schema):
    queue_name: str = "open"
    q: str = ""
    state: str = ""
    type: str = ""
    waiting_on: str = ""
    due: str = ""
    order: str = "newest"


def _found(user, queue_name: str, data: dict):
    """The matters of a queue, narrowed as the matters page narrows them (the same form, the same service)."""
    if queue_name not in QUEUES:
        raise Http404
    form = NarrowingForm(data, states=states_of(queue_name))
    if not form.is_valid():
        raise HttpError(400, "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
    narrowing = form.narrowing()
    found = queue(user, queue_name, narrowing=narrowing)
    if narrowing.order == "deadline":
        found = by_next_deadline(found)
    else:
        found = found.order_by(*(("logged_at", "pk") if narrowing.order == "oldest" else ("-logged_at", "-pk")))
    return found


@router.get("/matters", response=list[MatterRow], auth=Scope("matter:read"))
@paginate(LimitOffsetPagination)
def matters(request, queue_name: str = "open", state: str = "", type: str = "", waiting_on: str = "",
            due: str = "", order: str = "newest"):
    """Matters you may open, in one of the queues: waiting (for you), open, closed; filtered by state,
    instrument type, whose turn it is and deadline window. To search, POST to /matters/search."""
    data = {"state": state, "type": type, "waiting_on": waiting_on, "due": due, "order": order}
    return [_row(m) for m in _found(request.user, queue_name, data)]


@router.post("/matters/search", response=list[MatterRow], auth=Scope("matter:read"))
def search_matters(request, payload: FindIn, limit: int = 100, offset: int = 0):
    """Matters you may open whose reference, requester, agency or an instrument's case number or caption
    contains ``q``, with the filters of GET /matters (``limit`` and ``offset`` page it). POSTed: the words may
    name a person, and never go into an address."""
    if not (0 < limit <= 1000 and offset >= 0):
        raise HttpError(400, "limit: 1 to 1000; offset: 0 or more")
    return [_row(m) for m in _found(request.user, payload.queue_name, payload.dict())[offset:offset + limit]]


@router.get("/matters/{reference}", response=MatterOut, auth=Scope("matter:read"))
def matter(request, reference: str):
    matter = reading.open_matter(request.user, reference, look="api")
    instruments = matter.instruments.prefetch_related("designated_users").order_by("-pk")
    return {
        **_row(matter), "version": matter.version, "requester_name": matter.requester_name,
        "requester_agency": matter.requester_agency, "channel": matter.channel,
        "request_text": matter.request_text,
        "counsel": matter.counsel.username if matter.counsel_id else None,
        "custodian": matter.custodian.username if matter.custodian_id else None,
        "instruments": [{
            "id": i.pk, "type": i.type, "issuing_authority": i.issuing_authority, "case_number": i.case_number,
            "return_at": i.return_at, "record_kinds": i.record_kinds, "date_from": i.date_from, "date_to": i.date_to,
            "nondisclosure": i.nondisclosure, "superseded": i.superseded_by_id is not None,
            "designated": [{"id": d.pk, "identifier_type": d.identifier_type, "value": d.value,
                            "date_of_birth": d.date_of_birth}
                           for d in i.designated_users.all()]} for i in instruments],
        "moves": [{"name": m.name, "label": str(m.label)} for m in available(matter, request.user)],
        "timeline": [{"at": e.at, "action": e.action, "to_state": e.to_state, "summary": e.said()}
                     for e in matter.events.all()],
    }


@router.post("/inquiries", response={201: Receipt, 400: Problem}, auth=Scope("inquiry:create"))
def new_inquiry(request, payload: InquiryIn):
    """Log an inquiry from the desk: the matter is referred and the officer told at once."""
    form = InquiryForm(payload.dict())
    if not form.is_valid():
        return Status(400, {"detail": "The inquiry is not complete.", "errors": form.errors.get_json_data()})
    try:
        made = log_inquiry(by=request.user, **{k: v for k, v in form.cleaned_data.items() if k != "document"})
    except ProcedureError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(201, {"reference": made.reference, "receipt_url": f"/inquiries/{made.reference}/receipt/"})


def _form_data(data: dict, formsets) -> dict:
    """JSON as a form would post it; a step's formsets (designated users, officers) from lists of objects."""
    out = {}
    for prefix in formsets:
        out[f"{prefix}-TOTAL_FORMS"], out[f"{prefix}-INITIAL_FORMS"] = "0", "0"
    for key, value in data.items():
        if key in formsets and isinstance(value, list):
            out[f"{key}-TOTAL_FORMS"] = str(len(value))
            for index, row in enumerate(value):
                for name, cell in (row or {}).items():
                    out[f"{key}-{index}-{name}"] = cell
        elif isinstance(value, list):
            out[key] = [str(item) for item in value]
        elif value is None:
            continue
        else:
            out[key] = value if isinstance(value, bool) else str(value)
    return out


class _Data(dict):
    """A dict that answers getlist() the way a QueryDict does, for multiple-choice fields."""

    def getlist(self, key):
        value = self.get(key, [])
        return value if isinstance(value, list) else [value]


@router.post("/matters/{reference}/moves/{name}", response={200: Moved, 400: Problem, 404: Problem, 409: Problem},
             auth=Scope("matter:read"))
def move(request, reference: str, name: str, payload: MoveIn):
    """Make one move of the procedure. The move's own rules decide who may make it, and when."""
    matter = reading.open_matter(request.user, reference, look=None)  # a move shows nothing of the matter
    if name not in MOVES:
        return Status(404, {"detail": "No such move."})
    form_class = ACTION_FORMS[name]
    form = form_class(_Data({**_form_data(payload.data, form_class.FORMSETS), "version": str(payload.version)}),
                      matter=matter)
    if not form.is_valid():
        errors = form.errors.get_json_data()
        for prefix in form_class.FORMSETS:
            formset = getattr(form, prefix)
            if formset.errors and any(formset.errors):
                errors[prefix] = formset.errors
        return Status(400, {"detail": "Some fields need attention.", "errors": errors})
    try:
        moved = perform(matter, name, by=request.user, version=payload.version, **form.to_kwargs())
    except StaleMatter as exc:
        return Status(409, {"detail": str(exc)})
    except MatterNotFound:
        return Status(404, {"detail": "No such matter."})
    except ProcedureError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(200, {"reference": moved.reference, "state": moved.state, "version": moved.version})


class NoteIn(Schema):
    kind: str
    happened_at: dt.datetime
    parties: str = ""
    summary: str


class NoteOut(Schema):
    id: int
    kind: str
    happened_at: dt.datetime


def _file_change(request, reference: str, form, change):
    """A change the people on a matter make to its file: 404 for everyone else, 400 with the fields' errors or
    the refusal, else ``change(matter, cleaned_data)``'s result."""
    matter = reading.open_matter(request.user, reference, look=None)
    if not reading.on_matter(matter, request.user):
        return Status(404, {"detail": "No such matter."})
    if not form.is_valid():
        return Status(400, {"detail": "Some fields need attention.", "errors": form.errors.get_json_data()})
    try:
        return change(matter, form.cleaned_data)
    except MatterNotFound:
        return Status(404, {"detail": "No such matter."})
    except (ProcedureError, UploadRefused) as exc:
        return Status(400, {"detail": str(exc)})


@router.post("/matters/{reference}/notes", response={201: NoteOut, 400: Problem, 404: Problem},
             auth=Scope("matter:read"))
def add_note(request, reference: str, payload: NoteIn):
    """Record a note or a piece of correspondence on a matter's timeline (the people on the matter only)."""
    def change(matter, data):
        note = casefile.add_note(matter.reference, by=request.user, **data)
        return Status(201, {"id": note.pk, "kind": note.kind, "happened_at": note.happened_at})
    form = NoteForm(_Data({**payload.dict(), "happened_at": payload.happened_at.isoformat()}))
    return _file_change(request, reference, form, change)


class VerificationIn(Schema):
    method: str
    authority: int | None = None
    confirmed: bool = False
    person_reached: str = ""
    number_on_request: str = ""
    sender_address: str = ""
    case_number: str = ""
    notes: str = ""


class VerificationOut(Schema):
    id: int
    method: str
    confirmed: bool
    mismatches: list[str]
    counts: bool


@router.post("/matters/{reference}/verifications", response={201: VerificationOut, 400: Problem, 404: Problem},
             auth=Scope("matter:read"))
def verify(request, reference: str, payload: VerificationIn):
    """Record how the requester was verified through the directory of agencies and courts (the officer or the
    director on the matter): the number called is the directory's; what did not match comes back in
    ``mismatches``, and the verification counts toward approval only if nothing did."""
    def change(matter, data):
        made = verifying.record_verification(matter.reference, by=request.user, **data)
        return Status(201, {"id": made.pk, "method": made.method, "confirmed": made.confirmed,
                            "mismatches": made.mismatches, "counts": made.counts})
    form = VerificationForm(_Data({**payload.dict(), "confirmed": "yes" if payload.confirmed else "no",
                                   "authority": payload.authority or ""}))
    return _file_change(request, reference, form, change)


class DocumentOut(Schema):
    id: int
    kind: str
    sha256: str


@router.post("/matters/{reference}/documents", response={201: DocumentOut, 400: Problem, 404: Problem},
             auth=Scope("matter:read"))
def add_document(request, reference: str, kind: Form[str], title: Form[str], upload: File[UploadedFile]):
    """Attach a further document (PDF, PNG or JPEG, checked like every upload) to a matter: the people on the
    matter only."""
    def change(matter, data):
        document = casefile.add_document(matter.reference, by=request.user, **data)
        return Status(201, {"id": document.pk, "kind": document.kind, "sha256": document.file.sha256})
    form = DocumentForm({"kind": kind, "title": title}, {"upload": upload})
    return _file_change(request, reference, form, change)


class ExtensionIn(Schema):
    to_day: dt.date
    agreed_with: str
    reason: str


class ExtensionOut(Schema):
    deadline: int
    from_day: dt.date
    to_day: dt.date


@router.post("/matters/{reference}/deadlines/{deadline_id}/extension",
             response={201: ExtensionOut, 400: Problem, 404: Problem}, auth=Scope("matter:read"))
def extend_deadline(request, reference: str, deadline_id: int, payload: ExtensionIn):
    """Extend a deadline by agreement with the issuing party, saying with whom and why (the officer, the
    director or counsel on the matter)."""
    def change(matter, data):
        made = casefile.extend_deadline(matter.reference, deadline_id, by=request.user, **data)
        return Status(201, {"deadline": made.deadline_id, "from_day": made.from_day, "to_day": made.to_day})
    form = ExtensionForm(_Data({**payload.dict(), "to_day": payload.to_day.isoformat()}))
    return _file_change(request, reference, form, change)


@router.get("/moves", response=list[MoveForm], auth=Scope("matter:read"))
def moves(request):
    """Every move of the procedure with the fields its ``data`` takes.

    People (counsel, custodian, person) are given by account id. The checklist
    moves (determine, review_after) also take ``item_<id>`` (yes, no or na) and
    ``note_<id>`` for each active checklist item of the instrument's type.
    """
    described = []
    for name, move_ in MOVES.items():
        fields = []
        form_class = ACTION_FORMS[name]
        for field_name, field in form_class.base_fields.items():
            if field_name == "version":
                continue
            choices = [str(value) for value, _label in getattr(field, "choices", [])] if hasattr(field, "choices") \
                and not hasattr(field, "queryset") else []
            fields.append({"name": field_name, "required": field.required, "kind": type(field).__name__,
                           "choices": choices})
        fields += [{"name": prefix, "required": required, "kind": kind}
                   for prefix, (kind, required) in form_class.FORMSETS.items()]
        described.append({"name": name, "label": str(move_.label), "fields": fields})
    return described
