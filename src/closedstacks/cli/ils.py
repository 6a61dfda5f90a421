"""``closedstacks ils …``: library-system databases — build a test one, test a connection.

These work on a database URL directly, not on a configured connector, so a
systems librarian can try them before configuring anything. Passwords in a
URL are never printed; prefer ``--url-file`` or ``CLOSEDSTACKS_ILS_URL`` to
keep them out of the shell history.
"""

from __future__ import annotations

import json
import os
import time

import click

from closedstacks.cli.setup import fail

CONNECTORS = ["koha", "evergreen"]


def _settings(url: str | None, url_file: str | None):
    from closedstacks.ils.connectors.base import ConnectorError
    from closedstacks.ils.connectors.db import ConnectionSettings

    if url_file:
        with open(url_file, encoding="utf-8") as handle:
            url = handle.read().strip()
    url = url or os.environ.get("CLOSEDSTACKS_ILS_URL")
    if not url:
        fail("Give the database as --url, --url-file or CLOSEDSTACKS_ILS_URL.")
    try:
        return ConnectionSettings.from_url(url)
    except ConnectorError as exc:
        fail(str(exc))


url_options = [
    click.option("--url", default=None, help="mysql://user:pass@host:3306/db, postgresql://…, or sqlite:///file."),
    click.option("--url-file", type=click.Path(exists=True, dir_okay=False), default=None,
                 help="A file holding the URL (keeps the password out of the shell history)."),
]


def with_url(command):
    for option in reversed(url_options):
        command = option(command)
    return command


@click.group()
def ils() -> None:
    """Library-system databases: build a Koha- or Evergreen-shaped one for testing; test a connection."""


@ils.command()
@click.argument("kind", type=click.Choice(CONNECTORS))
@with_url
@click.option("--users", type=click.IntRange(1), default=2000, show_default=True)
@click.option("--loans", type=click.IntRange(0), default=20000, show_default=True)
@click.option("--holds", type=click.IntRange(0), default=None, help="Default: a tenth of the loans.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed builds the same library.")
@click.option("--yes", is_flag=True, help="Do not ask before replacing the tables in the database.")
def generate(kind, url, url_file, users, loans, holds, seed, yes):
    """Build a KIND-shaped library in the database (its tables are dropped and made again).

    Realistic, made-up users, items, loans over five years, holds and the rest,
    for trying Closed Stacks, for tests and for benchmarks. Never point it at a real library.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from closedstacks.ils import generators
    from closedstacks.ils.connectors.base import ConnectorError

    settings = _settings(url, url_file)
    if not yes:
        click.confirm(f"Replace the {kind} tables in {settings.where} with a generated library?", abort=True)
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(done: int, total: int, label: str) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        try:
            counts = generators.get(kind)(settings, users=users, loans=loans, holds=holds, seed=seed,
                                            progress=progress)
        except ConnectorError as exc:
            fail(str(exc))
    seconds = time.perf_counter() - started
    click.echo(f"Built a {kind}-shaped library in {settings.where} in {seconds:.1f} s: "
               + ", ".join(f"{table} {rows:,}" for table, rows in counts.items()))


@ils.command("test")
@click.argument("kind", type=click.Choice(CONNECTORS))
@with_url
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def test_connection(kind, url, url_file, as_json):
    """Connect as KIND, check every table and column the connector reads, and count rows."""
    from closedstacks.ils.connectors import get
    from closedstacks.ils.connectors.base import ConnectorError

    settings = _settings(url, url_file)
    try:
        report = get(kind)(settings).test()
    except ConnectorError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps({"ok": report.ok, "tables": report.tables, "problems": report.problems}))
    else:
        for table, rows in report.tables.items():
            click.echo(f"  {table:<32} {'missing' if rows is None else f'{rows:,} rows'}")
        for problem in report.problems:
            click.echo(f"  problem: {problem}")
        click.echo("Connection OK." if report.ok else "The connection does not work yet (see above).")
    raise SystemExit(0 if report.ok else 1)
