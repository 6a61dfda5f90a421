"""``closedstacks privacy-audit``: scan the library system for links to users its policies say should be gone."""

from __future__ import annotations

import json

import click

from closedstacks.cli.setup import django_ready


@click.command("privacy-audit")
@click.option("--connection", "name", default=None, help="The connection's name (default: the one in use).")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the report as a PDF here.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def privacy_audit(name, pdf_path, as_json):
    """Report each finding with its count, oldest date, severity and fix — never a user. Exit 1 when any
    finding has records, 0 on a clean library system."""
    django_ready()
    from closedstacks.audit.trail import cli_actor
    from closedstacks.ils.lookup import current_connection
    from closedstacks.ils.models import Connection
    from closedstacks.retention import privacy_audit as scanner
    from closedstacks.retention.services import PolicyError

    connection = Connection.objects.filter(name=name).first() if name else current_connection()
    if connection is None:
        raise click.ClickException(f"There is no connection named {name!r}." if name else
                                   "No library system is connected.")
    try:
        audit = scanner.run(connection, by=cli_actor())
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"connection": connection.name, "held_users": audit.held_users,
                               "findings": audit.checks, "kept_on_purpose": audit.kept_on_purpose}))
    else:
        for f in audit.checks:
            state = f"{f['severity']:6}" if f["count"] else "clean "
            oldest = f", oldest {f['oldest']}" if f["oldest"] and f["count"] else ""
            click.echo(f"{state} {f['count']:>10,}  {f['title']}{oldest}")
            if f["count"]:
                click.echo(f"{'':18}fix: {f['fix']}")
        for f in audit.kept_on_purpose:
            oldest = f", oldest {f['oldest']}" if f["oldest"] and f["count"] else ""
            click.echo(f"kept   {f['count']:>10,}  {f['title']}{oldest}")
            click.echo(f"{'':18}why: {f['fix']}")
    if pdf_path:
        from closedstacks.documents import pdf
        from closedstacks.library.models import LibraryProfile

        with open(pdf_path, "wb") as out:
            out.write(pdf.render("retention/privacy_audit_pdf.html", {"audit": audit,
                                                                       "library": LibraryProfile.current()}))
    raise SystemExit(1 if audit.open_findings else 0)
