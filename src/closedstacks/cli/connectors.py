"""``closedstacks connector …``: the configured connections to the library system (an administrator's job).

Passwords are read from standard input or a file, stored encrypted, and
never printed. Every change is audited as ``cli:<your login>``.
"""

from __future__ import annotations

import sys

import click

from closedstacks.cli.setup import django_ready, fail

KINDS = ["koha", "evergreen"]


def _secret(from_stdin: bool, path: str | None) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    return None


def _find(name: str):
    from closedstacks.ils.models import Connection

    found = Connection.objects.filter(name=name).first()
    if found is None:
        fail(f"There is no connection named {name!r} (see `closedstacks connector list`).")
    return found


@click.group()
def connector() -> None:
    """Connections to the library system (ILS): add, list, test, remove."""


@connector.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="Which library system.")
@click.option("--driver", type=click.Choice(["mysql", "postgresql", "sqlite"]), required=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None)
@click.option("--database", required=True, help="Database name, or the file for sqlite.")
@click.option("--user", "read_user", default="", help="The read-only database user.")
@click.option("--password-stdin", is_flag=True, help="Read the read-only password from standard input.")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--write-user", default="", help="A user allowed to write, used only by retention runs.")
@click.option("--write-password-file", type=click.Path(exists=True, dir_okay=False), default=None)
def add(name, kind, driver, host, port, database, read_user, password_stdin, password_file, write_user,
        write_password_file):
    """Add a connection NAME, then test it."""
    django_ready()
    from closedstacks.audit.trail import cli_actor
    from closedstacks.ils import services
    from closedstacks.ils.models import Connection

    if Connection.objects.filter(name=name).exists():
        fail(f"A connection named {name!r} exists already.")
    made = Connection(name=name, connector=kind, driver=driver, host=host, port=port, database=database,
                      read_user=read_user, write_user=write_user)
    try:
        made.full_clean(exclude=["read_password_encrypted", "write_password_encrypted", "last_test", "last_test_ok"])
        services.save_connection(made, by=cli_actor(), read_password=_secret(password_stdin, password_file),
                                 write_password=_secret(False, write_password_file))
    except Exception as exc:  # noqa: BLE001 - validation and service errors are both shown as they are
        fail(str(exc))
    click.echo(f"Added {name}.")
    _report(services.test_connection(made, by=cli_actor()))


def _report(report) -> None:
    if report.version:
        click.echo(f"  release: {report.version}")
    for table, rows in report.tables.items():
        click.echo(f"  {table:<32} {'missing' if rows is None else f'{rows:,} rows'}")
    for problem in report.problems:
        click.echo(f"  problem: {problem}")
    for warning in report.warnings:
        click.echo(f"  to fix: {warning}")
    click.echo("Connection OK." if report.ok else "The connection does not work yet.")


@connector.command("list")
def list_() -> None:
    """The connections, with where they point and their last test (never a password)."""
    django_ready()
    from closedstacks.ils.models import Connection

    for c in Connection.objects.all():
        state = "never tested" if c.last_tested_at is None else ("works" if c.last_test_ok else "fails")
        where = c.database if c.driver == "sqlite" else f"{c.driver}://{c.host}:{c.port or ''}/{c.database}"
        click.echo(f"{c.name:<20} {c.connector:<10} {where:<50} {state}")


@connector.command("test")
@click.argument("name")
def test(name):
    """Test connection NAME: tables and columns present, row counts, or what is wrong."""
    django_ready()
    from closedstacks.audit.trail import cli_actor
    from closedstacks.ils import services

    report = services.test_connection(_find(name), by=cli_actor())
    _report(report)
    raise SystemExit(0 if report.ok else 1)


@connector.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask.")
def remove(name, yes):
    """Remove connection NAME."""
    django_ready()
    from closedstacks.audit.trail import cli_actor
    from closedstacks.ils import services

    found = _find(name)
    if not yes:
        click.confirm(f"Remove the connection {name}?", abort=True)
    services.remove_connection(found, by=cli_actor())
    click.echo(f"Removed {name}.")


@connector.command("rekey")
def rekey():
    """Encrypt every stored password again with the first CLOSEDSTACKS_ENCRYPTION_KEY (after rotating keys)."""
    django_ready()
    from closedstacks.audit.trail import cli_actor
    from closedstacks.ils import services

    click.echo(f"Re-encrypted the passwords of {services.rekey(by=cli_actor())} connection(s).")
