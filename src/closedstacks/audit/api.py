import datetime as dt
from typing import Annotated

from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from closedstacks.access.api import Scope
from closedstacks.audit import reading, services

router = Router(tags=["audit"])


class Entry(Schema):
    seq: int
    at: dt.datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    details: dict
    prev_hash: str
    hash: str

    # An entry about a matter sealed from the reader shows only its number, time and hashes.
    @staticmethod
    def resolve_details(entry):
        return {} if entry.withheld else entry.details_data

    @staticmethod
    def resolve_actor_label(entry):
        return "" if entry.withheld else entry.actor_label

    @staticmethod
    def resolve_action(entry):
        return "" if entry.withheld else entry.action

    @staticmethod
    def resolve_object_type(entry):
        return "" if entry.withheld else entry.object_type

    @staticmethod
    def resolve_object_id(entry):
        return "" if entry.withheld else entry.object_id

    withheld: bool = False


class EntryFilters(FilterSchema):
    actor: Annotated[str | None, FilterLookup("actor_label__iexact")] = None
    action: Annotated[str | None, FilterLookup("action__startswith")] = None
    object_type: Annotated[str | None, FilterLookup("object_type")] = None
    object_id: Annotated[str | None, FilterLookup("object_id")] = None
    since: Annotated[dt.date | None, FilterLookup("at__date__gte")] = None
    until: Annotated[dt.date | None, FilterLookup("at__date__lte")] = None


class VerificationStatus(Schema):
    verified_at: dt.datetime | None
    ok: bool | None
    entries: int | None
    problem_seq: int | None
    problem_kind: str | None
    pending: bool


@router.get("/entries", response=list[Entry], auth=Scope("audit:read"))
@paginate(LimitOffsetPagination)
def entries(request, filters: Query[EntryFilters]):
    """The trail in sequence. Entries about a matter sealed from you keep only their number, time and hashes
    (``withheld``); a search by actor, action or object leaves them out."""
    found = filters.filter(reading.readable(request.user).order_by("seq"))
    return reading.narrowed(found, filters.dict())


def _status() -> VerificationStatus:
    last = services.last_verification()
    data = last.details_data if last else {}
    return VerificationStatus(verified_at=last.at if last else None, ok=data.get("ok"), entries=data.get("entries"),
                  problem_seq=data.get("problem_seq"), problem_kind=data.get("problem_kind"),
                  pending=services.verification_pending())


@router.get("/verification", response=VerificationStatus, auth=Scope("audit:read"))
def verification(request):
    return _status()


@router.post("/verification", response={202: VerificationStatus}, auth=Scope("audit:verify"))
def request_verification(request):
    services.request_verification(actor=request.user)
    return Status(202, _status())
