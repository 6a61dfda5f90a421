"""Background jobs of the records app, run by ``closedstacks jobs work`` (a production's is beside its
compiling, in production.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def resolve_holds(matter_id: int) -> dict:
    """Find the held users' ids in the library system, so retention can respect the holds."""
    from django.db import transaction

    from closedstacks.audit.trail import record
    from closedstacks.ils.connectors.base import ConnectorError
    from closedstacks.ils.lookup import current_connection
    from closedstacks.records.models import LegalHold
    from closedstacks.records.resolution import look_up

    connection = current_connection()
    holds = list(LegalHold.objects.in_force().filter(matter_id=matter_id).select_related("designated", "matter"))
    if connection is None or not holds:
        return {"resolved": 0}
    try:
        connector = connection.open()
        with connector.keep_open(), transaction.atomic():
            look_up(holds, connector)
            for hold in holds:
                record("hold.resolved", actor=None, obj=hold, details={
                    "matter": hold.matter.reference, "connection": connection.name,
                    "matches": len(hold.ils_user_ids), "resolution": hold.resolution})
    except ConnectorError as exc:
        return {"resolved": 0, "problem": str(exc)}
    return {"resolved": len(holds), "attention": sum(hold.protects_nobody for hold in holds)}
