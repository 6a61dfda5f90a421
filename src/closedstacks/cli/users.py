"""``closedstacks user …``: accounts and roles from the command line (audited as cli:<you>)."""

from __future__ import annotations

import json
import sys

import click

from closedstacks.cli.setup import django_ready, fail

ROLE_NAMES = ["staff", "officer", "director", "counsel", "custodian", "auditor", "admin"]


def _services():
    django_ready()
    from closedstacks.accounts import services
    from closedstacks.audit.trail import cli_actor

    return services, cli_actor()


def _account(services, username):
    try:
        return services.find_account(username)
    except services.AccountError as exc:
        fail(str(exc))


@click.group()
def user() -> None:
    """Create and manage staff accounts and their roles."""


@user.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLE_NAMES), help="A role to grant (repeatable).")
@click.option("--name", "full_name", default="", help="Full name.")
@click.option("--email", default="", help="E-mail address for notices.")
@click.option("--branch", default=None, help="The branch they work at (by name).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of making a temporary one.")
def add(username, roles, full_name, email, branch, password_stdin):
    """Create an account. Prints a temporary password unless --password-stdin is given."""
    services, actor = _services()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        account, temporary = services.create_account(username=username, roles=roles, full_name=full_name,
                                                     email=email, password=password, branch=branch, by=actor)
    except services.AccountError as exc:
        fail(str(exc))
    click.echo(f"Created {account.username} with roles: {', '.join(sorted(account.roles)) or 'none'}.")
    if temporary:
        click.echo(f"Temporary password (shown once; they choose their own at first sign-in): {temporary}")


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
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'USERNAME':<20} {'STATUS':<9} {'2FA':<4} ROLES")
    for row in rows:
        click.echo(f"{row['username']:<20} {row['status']:<9} {'yes' if row['second_factor'] else 'no':<4} "
                   f"{', '.join(row['roles']) or '-'}")


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
_simple("reset-password", "reset_password",
        "Temporary password for {username} (shown once; they choose their own at next sign-in): {result}",
        "Give an account a temporary password.")
_simple("reset-mfa", "reset_mfa", "Removed {result} second-factor device(s) of {username}; they enrol again.",
        "Remove an account's second factor, e.g. after a lost phone.")


@user.command("roles")
@click.argument("username")
@click.option("--grant", multiple=True, type=click.Choice(ROLE_NAMES), help="A role to grant (repeatable).")
@click.option("--revoke", multiple=True, type=click.Choice(ROLE_NAMES), help="A role to revoke (repeatable).")
def roles(username, grant, revoke):
    """Show an account's roles, or grant and revoke them."""
    services, actor = _services()
    account = _account(services, username)
    try:
        for role in grant:
            services.grant_role(account, role, by=actor)
        for role in revoke:
            services.revoke_role(account, role, by=actor)
    except services.AccountError as exc:
        fail(str(exc))
    click.echo(f"{account.username}: {', '.join(sorted(account.roles)) or 'no roles'}")
