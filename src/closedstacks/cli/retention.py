"""``closedstacks retention …``: unlink what the library's policies say it should no longer keep."""

from __future__ import annotations

import signal
import sys

import click

from closedstacks.cli.setup import django_ready


@click.group()
def retention() -> None:
    """Retention runs over a connected library system (never touching what a legal hold covers)."""


@retention.command("run")
@click.option("--connection", "name", default=None, help="The connection's name (default: the one in use).")
@click.option("--dry-run", is_flag=True, help="Change nothing; report what would change (counts only).")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 50_000),
              help="Rows per batch (each batch is one short transaction).")
def run_command(name, dry_run, batch):
    """Run the retention policies, or resume the unfinished run. Stop it at any time (Ctrl-C, SIGTERM): run it
    again to resume where it stopped, losing, repeating and skipping nothing."""
    django_ready()
    from closedstacks.ils.lookup import current_connection
    from closedstacks.ils.models import Connection

    connection = Connection.objects.filter(name=name).first() if name else current_connection()
    if connection is None:
        raise click.ClickException(f"There is no connection named {name!r}." if name else
                                   "No library system is connected.")
    _stop_on_signals()
    done = _run(connection, dry_run=dry_run, batch=batch)
    if done.status not in ("done", "stopped"):
        raise SystemExit(1)


@retention.command("scheduled")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 50_000))
def scheduled_command(batch):
    """Run retention over every connection whose schedule says a run is due (for cron or a systemd timer, e.g.
    hourly); an unfinished run is resumed. Exit 1 if any run failed."""
    django_ready()
    from closedstacks.retention.services import due_for_a_run

    _stop_on_signals()
    due = due_for_a_run()
    if not due:
        click.echo("No retention run is due.")
    failed = [done for done in (_run(c, dry_run=False, batch=batch) for c in due if not STOPPING)
              if done.status == "failed"]
    if failed:
        raise SystemExit(1)


STOPPING: list[int] = []


def _count(value) -> str:
    return "not counted (a dry run counts it)" if value is None else f"{value:,}"


def _stop_on_signals() -> None:
    def stop(signum, frame):
        STOPPING.append(signum)
        click.echo("\nStopping after this batch…", err=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def _run(connection, *, dry_run: bool, batch: int):
    """Start (or resume) one run of ``connection``, with a progress bar per step; its report (counts only)."""
    from closedstacks.audit.trail import cli_actor
    from closedstacks.retention import runs
    from closedstacks.retention.census import after_run
    from closedstacks.retention.services import PolicyError

    found = runs.unfinished(connection, dry_run=dry_run)
    try:
        found = found or runs.start(connection, by=cli_actor(), dry_run=dry_run)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Retention run {found.pk} of {connection.name}{' (dry run: nothing changes)' if dry_run else ''}.",
               err=True)
    bars: dict = {}

    def progress(step, cursor, last):
        """One bar per step (a table), over its keys (as far as the highest when the step started)."""
        bar = bars.get(step)
        if bar is None:
            for other in bars.values():
                other.render_finish()
            bar = bars[step] = click.progressbar(length=max(last or 0, 1), label=f"{step:<15}", file=sys.stderr,
                                                 show_eta=True, show_pos=False)
        bar.update(max(0, min(cursor, bar.length) - bar.pos))

    done = runs.execute(found, batch_size=batch, should_stop=lambda: bool(STOPPING), progress=progress)
    for bar in bars.values():
        bar.render_finish()
    after_run(done)
    verb = "would unlink" if dry_run else "unlinked"
    for step, state in done.progress.items():
        click.echo(f"{step}: {state.get('examined', 0):,} examined, {verb} {state.get('unlinked', 0):,}, kept for "
                   f"legal holds {state.get('kept_for_holds', 0):,}, kept by the users' choice "
                   f"{_count(state.get('kept_opt_in', 0))}; longest batch {state.get('longest_batch_s', 0)} s")
    click.echo(f"Run {done.pk}: {done.get_status_display()}{': ' + done.problem if done.problem else ''}")
    return done
