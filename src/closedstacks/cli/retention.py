"""``closedstacks retention …``: unlink what the library's policies say it should no longer keep."""

from __future__ import annotations

import signal

import click

from closedstacks.cli.setup import django_ready


@click.group()
def retention() -> None:
    """Retention runs over a connected library system (never touching what a legal hold covers)."""


@retention.command("run")
@click.option("--connection", "name", default=None, help="The connection's name (default: the one in use).")
@click.option("--dry-run", is_flag=True, help="Change nothing; report what would change (counts only).")
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(1, 50_000),
              help="Rows read per batch (each batch is one short transaction).")
def run_command(name, dry_run, batch):
    """Run the retention policies, or resume the unfinished run. Stop it at any time (Ctrl-C, SIGTERM): run it
    again to resume where it stopped, losing, repeating and skipping nothing."""
    django_ready()
    from closedstacks.audit.trail import cli_actor
    from closedstacks.records.lookup import current_connection
    from closedstacks.records.models import Connection
    from closedstacks.retention import runs
    from closedstacks.retention.services import PolicyError

    connection = Connection.objects.filter(name=name).first() if name else current_connection()
    if connection is None:
        raise click.ClickException(f"There is no connection named {name!r}." if name else
                                   "No library system is connected.")
    found = runs.unfinished(connection, dry_run=dry_run)
    try:
        found = found or runs.start(connection, by=cli_actor(), dry_run=dry_run)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)
        click.echo("\nStopping after this batch…", err=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Retention run {found.pk} of {connection.name}{' (dry run: nothing changes)' if dry_run else ''}.",
               err=True)
    shown = {}

    def progress(kind, cursor):
        if cursor - shown.get(kind, 0) >= batch * 20:
            shown[kind] = cursor
            click.echo(f"  {kind}: up to id {cursor:,}", err=True)

    done = runs.execute(found, batch_size=batch, should_stop=lambda: bool(stopping), progress=progress)
    verb = "would unlink" if dry_run else "unlinked"
    for kind, state in done.progress.items():
        click.echo(f"{kind}: {state.get('examined', 0):,} examined, {verb} {state.get('unlinked', 0):,}, kept for "
                   f"legal holds {state.get('kept_for_holds', 0):,}, kept by the users' choice "
                   f"{state.get('kept_opt_in', 0):,}; longest batch {state.get('longest_batch_s', 0)} s")
    click.echo(f"Run {done.pk}: {done.get_status_display()}{': ' + done.problem if done.problem else ''}")
    if done.status not in ("done", "stopped"):
        raise SystemExit(1)
