"""Reports over JSON: filing one (anyone), following one's own, and the officer's list (no identities ever)."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from closedstacks.access.api import Scope
from closedstacks.incidents import services
from closedstacks.incidents.errors import ReportError
from closedstacks.incidents.forms import ReportForm
from closedstacks.incidents.models import Incident

router = Router(tags=["reports"])


class ReportIn(Schema):
    kind: str
    what: str
    occurred_at: dt.datetime | None = None
    place: str = ""
    who: str = ""
    disclosed: str = "no"
    disclosed_what: str = ""
    witnesses: str = ""


class ReportRow(Schema):
    id: int
    kind: str
    status: str
    reported_at: dt.datetime
    closed_at: dt.datetime | None


class DeskRow(ReportRow):
    severity: str
    due_at: dt.datetime | None
    overdue: bool
    breach: bool
    affected_people: int
    matter: str | None


class Filed(Schema):
    id: int
    url: str


class Problem(Schema):
    detail: str
    errors: dict = {}


def _row(incident: Incident) -> dict:
    return {"id": incident.pk, "kind": incident.kind, "status": incident.status,
            "reported_at": incident.reported_at, "closed_at": incident.closed_at}


@router.post("/reports", response={201: Filed, 400: Problem}, auth=Scope("incident:report"))
def file_report(request, payload: ReportIn):
    """Report a threat, an unauthorized demand or a privacy problem: the officer is told at once."""
    data = payload.dict()
    data["occurred_at"] = data["occurred_at"] or dt.datetime.now(dt.UTC)
    form = ReportForm(data)
    if not form.is_valid():
        return Status(400, {"detail": "The report is not complete.", "errors": form.errors.get_json_data()})
    try:
        made = services.report(by=request.user, **form.cleaned_data)
    except ReportError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(201, {"id": made.pk, "url": f"/reports/{made.pk}/"})


@router.get("/reports/mine", response=list[ReportRow], auth=Scope("incident:report"))
def my_reports(request):
    """The reports you filed, and where each stands."""
    return [_row(i) for i in Incident.objects.filed_by(request.user)[:500]]


@router.get("/reports", response=list[DeskRow], auth=Scope("incident:read"))
def desk(request, open_only: bool = True):
    """The officer's desk: numbers, kinds, dates, counts of people affected — never who."""
    from django.db.models import Count

    rows = Incident.objects.visible_to(request.user).select_related("matter", "breach").annotate(
        affected_count=Count("breach__affected"))
    if open_only:
        rows = rows.exclude(status="closed")
    return [{**_row(i), "severity": i.severity, "due_at": i.due_at, "overdue": i.is_overdue,
             "breach": hasattr(i, "breach"), "affected_people": i.affected_count,
             "matter": i.matter.reference if i.matter_id else None} for i in rows[:1000]]
