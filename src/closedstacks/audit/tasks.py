"""Background jobs of the audit trail, run by ``closedstacks jobs work``."""

from django_tasks import task

from closedstacks.audit.verify import verify_and_record


@task()
def verify_trail() -> dict:
    result = verify_and_record()
    return {"ok": result.ok, "entries": result.entries}
