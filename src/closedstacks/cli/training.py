"""``closedstacks training …``: reminders before staff training lapses (run it from cron every morning)."""

from __future__ import annotations

import datetime as dt

import click

from closedstacks.cli.setup import django_ready


@click.group()
def training() -> None:
    """Staff training: the modules assigned to each role, and when each person's lapses."""


@training.command()
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if today were this date (YYYY-MM-DD).")
def remind(day):
    """Remind people whose training lapses soon, at the lead times the library chose, and once when overdue.

    Each reminder is sent once; running it twice in a day sends nothing more.
    """
    django_ready()
    from closedstacks.training.reminders import send_due_reminders

    today = day.date() if isinstance(day, dt.datetime) else None
    sent = send_due_reminders(today)
    click.echo(f"{sent} training reminder(s) queued; the job worker e-mails them.")
