"""Background jobs of retention, run by ``closedstacks jobs work``."""

from __future__ import annotations

from django_tasks import task


@task()
def run_retention(run_id: int) -> dict:
    """Run (or resume) a retention run started from the web."""
    from closedstacks.retention.census import after_run
    from closedstacks.retention.runs import execute

    done = execute(run_id)
    after_run(done)
    return {"run": done.pk, "status": done.status, **done.totals()}
