"""``closedstacks deadlines …``: reminders before deadlines (run it from cron every morning)."""

from __future__ import annotations

import datetime as dt

import click

from closedstacks.cli.setup import django_ready


@click.group()
def deadlines() -> None:
    """Deadlines on matters: return dates, objections, cures, nondisclosure orders."""


@deadlines.command()
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if today were this date (YYYY-MM-DD).")
def remind(day):
    """Send the reminders that are due, at the lead times the library chose, and overdue notices.

    Each reminder is sent once; running it twice in a day sends nothing more. Only matter
    references are sent, never the users or records.
    """
    django_ready()
    from closedstacks.matters.deadlines import send_due_reminders

    today = day.date() if isinstance(day, dt.datetime) else None
    sent = send_due_reminders(today)
    click.echo(f"{sent} reminder(s) queued; the job worker e-mails them.")
