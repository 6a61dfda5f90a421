"""``closedstacks audit …``: verify the trail, sign its head."""

from __future__ import annotations

import json
import sys

import click

from closedstacks.cli.setup import django_ready


@click.group()
def audit() -> None:
    """Verify and sign the tamper-evident audit trail."""


@audit.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--no-record", is_flag=True, help="Do not add an audit.verified entry with the result.")
def verify(as_json, no_record):
    """Check every entry, link and signed checkpoint.

    Exits 0 with "N entries verified", or 1 naming the first bad entry and what is wrong.
    """
    django_ready()
    from closedstacks.audit.trail import cli_actor
    from closedstacks.audit.verify import verify as run_verify
    from closedstacks.audit.verify import verify_and_record

    result = run_verify() if no_record else verify_and_record(actor=cli_actor())
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        click.echo(result.summary())
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
    sys.exit(0 if result.ok else 1)


@audit.command()
def checkpoint():
    """Sign the current head of the trail now (also done every AUDIT_CHECKPOINT_INTERVAL entries)."""
    django_ready()
    from closedstacks.audit.trail import checkpoint as sign_head

    made = sign_head()
    if made is None:
        click.echo("Nothing to sign: the trail is empty or its head is already signed.")
    else:
        click.echo(f"Signed entry {made.seq}: {made.entry_hash} (key {made.key_id})")
        click.echo(f"signature {made.signature}")
