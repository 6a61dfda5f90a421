"""``closedstacks procedure …``: the procedure's table of moves, as the code has it."""

from __future__ import annotations

from pathlib import Path

import click

from closedstacks.cli.setup import django_ready


@click.group()
def procedure() -> None:
    """The procedure every matter follows: its moves, who makes them, and when."""


@procedure.command()
@click.option("--write", "into", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Replace the copy of the table in this file (between its marker lines), e.g. docs/architecture.md.")
def table(into: Path | None):
    """Print every move: the states it starts from and leads to, who may make it, and its conditions."""
    django_ready()
    from closedstacks.matters.table import markdown, write_into

    if into is None:
        click.echo(markdown(), nl=False)
        return
    try:
        changed = write_into(into)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{into}: {'updated' if changed else 'already up to date'}.")
