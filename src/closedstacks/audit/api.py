import datetime as dt
from typing import Annotated

from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from closedstacks.access.api import Scope
from closedstacks.audit import services
from closedstacks.audit.models import AuditEntry

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

    @staticmethod
    def resolve_details(entry):
        return entry.details_data


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
    return filters.filter(AuditEntry.objects.order_by("seq"))


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
