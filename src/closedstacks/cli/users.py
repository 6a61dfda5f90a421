"""``closedstacks user …``: accounts and roles from the command line (audited as cli:<you>).

A change that could hand someone a privileged account (creating one with any role but staff, granting such a
role, resetting a privileged account's password or second factor) needs two people here as on the web:
``--by USERNAME`` names the administrator asking, the change waits, and ``user approve ID --as USERNAME`` names the
second person (another administrator, the director or the officer; never the one who asked, never the owner).
The audit trail records your login and both accounts. The command line cannot check that you are those people:
whoever can run it on the server is outside this protection. While the library has fewer than two people who
could approve, these changes are made at once (setting up the first accounts).
"""

from __future__ import annotations

import json
import sys

import click

from closedstacks.cli.setup import django_ready, fail

ROLE_NAMES = ["staff", "officer", "director", "counsel", "custodian", "auditor", "admin"]
BY_HELP = "The administrator asking (an account name); needed for a change that waits for a second person."


def _services():
    django_ready()
    from closedstacks.accounts import services
    from closedstacks.audit.trail import cli_actor

    return services, cli_actor()


def _approvals():
    django_ready()
    from closedstacks.accounts import approvals

    return approvals


def _account(services, username):
    try:
        return services.find_account(username)
    except services.AccountError as exc:
        fail(str(exc))


def _named(services, username):
    return _account(services, username) if username else None


def _asking(services, attempt):
    """Run a request; turn its refusal into a message (with what to add when the asker must be named)."""
    approvals = _approvals()
    try:
        return attempt()
    except approvals.RequesterRequired:
        fail("This change needs a second person's approval: add --by USERNAME (the administrator asking); "
             "another person then approves it with `closedstacks user approve ID --as USERNAME`.")
    except services.AccountError as exc:
        fail(str(exc))


def _report(result) -> None:
    """Say what became of a request: waiting, or made (and how the owner learns their password)."""
    if result.pending:
        change = result.change
        click.echo(f"Change #{change.pk} ({change.kind}) waits for a second person until "
                   f"{change.expires_at:%Y-%m-%d %H:%M} UTC: `closedstacks user approve {change.pk} --as USERNAME` "
                   f"(another administrator, the director or the officer). The owner is told.")
        return
    if result.temporary:
        click.echo(f"Temporary password (shown once; they choose their own at next sign-in): {result.temporary}")
    if result.emailed:
        click.echo("A one-time link went to the owner's e-mail address.")
    elif result.emailed is False:
        click.echo("The e-mail with the owner's one-time link could not be sent: check the mail settings.",
                   err=True)


@click.group()
def user() -> None:
    """Create and manage staff accounts and their roles."""


@user.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLE_NAMES), help="A role to grant (repeatable).")
@click.option("--name", "full_name", default="", help="Full name.")
@click.option("--email", default="", help="E-mail address for notices (required for every role but staff).")
@click.option("--branch", default=None, help="The branch they work at (by name).")
@click.option("--by", "by_name", default=None, help=BY_HELP)
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (desk staff, or while setting up).")
def add(username, roles, full_name, email, branch, by_name, password_stdin):
    """Create an account: at once for staff (a one-time link by e-mail, or a temporary password printed), or
    waiting for a second person for any other role."""
    services, actor = _services()
    requester = _named(services, by_name)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    result = _asking(services, lambda: _approvals().request_account(
        username=username, roles=roles, full_name=full_name, email=email, password=password, branch=branch,
        by=actor, requester=requester))
    if result.account is not None:
        account = result.account
        click.echo(f"Created {account.username} with roles: {', '.join(sorted(account.roles)) or 'none'}.")
    _report(result)


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(as_json):
    """List accounts with their roles and status."""
    services, _ = _services()
    from closedstacks.access.signin import has_second_factor
    from closedstacks.accounts.models import User

    locked = services.locked_usernames()
    rows = [
        {"username": a.username, "name": a.full_name, "roles": sorted(a.roles),
         "status": "disabled" if not a.is_active else ("locked" if a.username in locked else "active"),
         "second_factor": has_second_factor(a)}
        for a in User.objects.prefetch_related("role_grants").order_by("username")
    ]
    _print_rows(rows, as_json, f"{'USERNAME':<20} {'STATUS':<9} {'2FA':<4} ROLES",
                lambda row: f"{row['username']:<20} {row['status']:<9} {'yes' if row['second_factor'] else 'no':<4} "
                            f"{', '.join(row['roles']) or '-'}")


def _print_rows(rows: list[dict], as_json: bool, header: str, line) -> None:
    """Print ``rows`` as JSON, or as a table: ``header``, then ``line(row)`` for each row."""
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(header)
    for row in rows:
        click.echo(line(row))


def _simple(name: str, service_name: str, done: str, help_text: str):
    @user.command(name, help=help_text)
    @click.argument("username")
    def command(username):
        services, actor = _services()
        account = _account(services, username)
        try:
            result = getattr(services, service_name)(account, by=actor)
        except services.AccountError as exc:
            fail(str(exc))
        click.echo(done.format(username=account.username, result=result))

    return command


_simple("disable", "disable_account", "Disabled {username}.", "Disable an account (it can be enabled again).")
_simple("enable", "enable_account", "Enabled {username}.", "Enable a disabled account.")
_simple("unlock", "unlock_account", "Unlocked {username} ({result} failed attempts cleared).",
        "Unlock an account locked after failed sign-ins.")


def _reset(name: str, request_name: str, help_text: str):
    @user.command(name, help=help_text)
    @click.argument("username")
    @click.option("--by", "by_name", default=None, help=BY_HELP)
    def command(username, by_name):
        services, actor = _services()
        account, requester = _account(services, username), _named(services, by_name)
        result = _asking(services, lambda: getattr(_approvals(), request_name)(account, by=actor,
                                                                               requester=requester))
        if not result.pending:
            click.echo(f"Done for {account.username}.")
        _report(result)

    return command


_reset("reset-password", "request_password_reset",
       "Let an account choose a new password: a one-time link by e-mail (a privileged account's once a second "
       "person approves), or for staff without e-mail a temporary password printed.")
_reset("reset-mfa", "request_mfa_reset",
       "Remove an account's second factor, e.g. after a lost phone (a privileged account's once a second person "
       "approves; its owner then enrols again through a one-time link).")


@user.command("roles")
@click.argument("username")
@click.option("--grant", multiple=True, type=click.Choice(ROLE_NAMES), help="A role to grant (repeatable).")
@click.option("--revoke", multiple=True, type=click.Choice(ROLE_NAMES), help="A role to revoke (repeatable).")
@click.option("--by", "by_name", default=None, help=BY_HELP)
def roles(username, grant, revoke, by_name):
    """Show an account's roles, or grant and revoke them (a privileged grant waits for a second person)."""
    services, actor = _services()
    account, requester = _account(services, username), _named(services, by_name)
    wanted = (set(account.roles) | set(grant)) - set(revoke)
    result = None
    if grant or revoke:
        _, _, result = _asking(services, lambda: _approvals().request_roles(account, wanted, by=actor,
                                                                           requester=requester))
    click.echo(f"{account.username}: {', '.join(sorted(account.roles)) or 'no roles'}")
    if result is not None and result.pending:
        _report(result)


@user.command("pending")
@click.option("--all", "show_all", is_flag=True, help="Also the changes decided lately.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def pending(show_all, as_json):
    """List the account changes waiting for a second person (expiring those whose time ran out)."""
    waiting, decided = _approvals().changes_for(None)
    rows = [_row(change) for change in waiting + (decided if show_all else [])]
    _print_rows(rows, as_json,
                f"{'ID':<5} {'OUTCOME':<9} {'KIND':<15} {'ACCOUNT':<20} {'ASKED BY':<16} {'EXPIRES (UTC)':<17} ROLES",
                lambda row: f"{row['id']:<5} {row['outcome']:<9} {row['kind']:<15} {row['account']:<20} "
                            f"{row['requested_by']:<16} {row['expires_at'][:16]:<17} {', '.join(row['roles']) or '-'}")


def _row(change) -> dict:
    return {"id": change.pk, "outcome": change.outcome, "kind": change.kind, "account": change.account_name,
            "email": change.account.email if change.account_id else change.email, "roles": change.roles,
            "requested_by": change.requested_by.username, "requested_at": change.requested_at.isoformat(),
            "expires_at": change.expires_at.isoformat(),
            "decided_by": change.decided_by.username if change.decided_by_id else None}


def _decision(name: str, help_text: str):
    @user.command(name, help=help_text)
    @click.argument("change_id", type=int)
    @click.option("--as", "as_name", required=True,
                  help="Who decides: an administrator, the director or the officer (not the one who asked).")
    def command(change_id, as_name):
        services, actor = _services()
        person = _account(services, as_name)
        approvals = _approvals()
        try:
            if name == "approve":
                result = approvals.approve(change_id, by=actor, approver=person)
            else:
                approvals.refuse(change_id, by=actor, decider=person)
        except services.AccountError as exc:
            fail(str(exc))
        click.echo(f"Change #{change_id} {'approved and applied' if name == 'approve' else 'refused'}; "
                   f"the owner is told.")
        if name == "approve":
            _report(result)

    return command


_decision("approve", "Approve a waiting account change as a second person, and apply it.")
_decision("refuse", "Refuse a waiting account change (the one who asked may withdraw it this way).")
