"""``closedstacks jobs …``: the background job worker (no broker: jobs wait in the database)."""

from __future__ import annotations

import click

from closedstacks.cli.setup import django_ready


@click.group()
def jobs() -> None:
    """Run background jobs (verification now; retention runs and productions later)."""


@jobs.command()
@click.option("--batch", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between looks for new jobs.")
def work(batch, interval):
    """Claim and run queued jobs until stopped (SIGTERM finishes the current job first)."""
    django_ready()
    from django.core.management import call_command

    call_command("db_worker", batch=batch, interval=interval, queue_name="*", startup_delay=False, reload=False,
                 verbosity=1)
