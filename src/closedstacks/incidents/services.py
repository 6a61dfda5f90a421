from __future__ import annotations

from django.db import transaction

from closedstacks.audit.trail import record
from closedstacks.incidents.models import Incident


def refer(*, kind: str, summary: str, by, matter=None) -> Incident:
    """Record an incident for the officer (inside the caller's transaction when there is one)."""
    with transaction.atomic():
        incident = Incident.objects.create(kind=kind, summary=summary, reported_by=by, matter=matter)
        record("incident.referred", actor=by, obj=incident,
               details={"kind": kind, "matter": matter.reference if matter else None})
    return incident
