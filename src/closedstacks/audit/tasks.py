"""Background jobs of the audit trail, run by ``closedstacks jobs work``."""

from django_tasks import task


@task()
def verify_trail() -> dict:
    from closedstacks.audit.services import verify_and_record

    result = verify_and_record()
    return {"ok": result.ok, "entries": result.entries}
