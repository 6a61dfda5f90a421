"""Administrators manage accounts and roles on the web and with `closedstacks user`; every change is audited."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from closedstacks.accounts import services
from closedstacks.accounts.models import User
from closedstacks.audit.models import AuditEntry
from tests.conftest import cli_env, closedstacks, sign_in

pytestmark = pytest.mark.django_db


def audited(action: str, account) -> AuditEntry:
    return AuditEntry.objects.filter(action=action, object_type="account", object_id=str(account.pk)).latest("seq")


def test_an_admin_creates_a_desk_account_without_e_mail_with_a_temporary_password(accounts, client_for):
    admin = client_for("admin")
    response = admin.post("/accounts/new/", {"username": "rosa", "full_name": "Rosa Reyes", "roles": ["staff"]})
    assert response.status_code == 200
    rosa = User.objects.get(username="rosa")
    assert rosa.roles == {"staff"} and rosa.must_change_password
    assert b"temporary password" in response.content
    entry = audited("account.created", rosa)
    assert entry.actor_id == accounts["admin"].pk and entry.details_data == {"roles": ["staff"]}
    assert "Rosa" not in entry.details


def test_an_account_with_a_privileged_role_waits_for_a_second_person(accounts, client_for):
    response = client_for("admin").post("/accounts/new/", {"username": "rosa", "email": "rosa@library.example",
                                                           "roles": ["officer", "staff"]})
    assert response.status_code == 302 and response.url == "/accounts/changes/"
    assert not User.objects.filter(username="rosa").exists()  # tests/test_account_two_person.py goes on


def test_a_duplicate_username_is_refused_with_a_clear_message(accounts, client_for):
    response = client_for("admin").post("/accounts/new/", {"username": "STAFF", "roles": ["staff"]})
    assert response.status_code == 200 and b"already exists" in response.content


def test_roles_are_granted_and_revoked_and_audited(accounts, client_for):
    # (A privileged role is granted only once a second person approves: tests/test_account_two_person.py.)
    admin = client_for("admin")
    target = accounts["custodian"]
    assert admin.post(f"/accounts/{target.pk}/", {"roles": ["staff", "custodian"]}).status_code == 302
    target.forget_roles()
    assert target.roles == {"staff", "custodian"}
    assert audited("account.role_granted", target).details_data == {"role": "staff"}
    admin.post(f"/accounts/{target.pk}/", {"roles": ["staff"]})
    assert audited("account.role_revoked", target).details_data == {"role": "custodian"}


def test_an_admin_cannot_change_their_own_roles(accounts, client_for):
    admin = accounts["admin"]
    response = client_for("admin").post(f"/accounts/{admin.pk}/", {"roles": ["admin", "director"]})
    assert response.status_code == 200 and b"your own account" in response.content
    admin.forget_roles()
    assert admin.roles == {"admin"}


def test_the_last_active_administrator_stays(accounts):
    services.disable_account(accounts["admin2"], by="cli:root")
    with pytest.raises(services.AccountError, match="last active administrator"):
        services.revoke_role(accounts["admin"], "admin", by="cli:root")
    with pytest.raises(services.AccountError, match="last active administrator"):
        services.disable_account(accounts["admin"], by="cli:root")


def test_disable_enable_reset_password_and_second_factor(accounts, client_for, mailoutbox):
    # A desk account's resets are made at once; a privileged account's wait (tests/test_account_two_person.py).
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = client_for("admin")
    target = accounts["staff"]
    TOTPDevice.objects.create(user=target, name="authenticator", confirmed=True)  # set up of their own accord
    admin.post(f"/accounts/{target.pk}/disable/")
    target.refresh_from_db()
    assert not target.is_active
    admin.post(f"/accounts/{target.pk}/enable/")
    target.refresh_from_db()
    assert target.is_active
    reset = admin.post(f"/accounts/{target.pk}/reset-password/")
    assert reset.status_code == 302 and b"temporary password" not in reset.content
    assert [m.to for m in mailoutbox] == [["staff@example.org"]] and "/account/link/" in mailoutbox[0].body
    assert audited("account.password_reset", target).details_data == {"by_link": True}
    assert admin.post(f"/accounts/{target.pk}/reset-mfa/").status_code == 302
    assert audited("account.mfa_reset", target).details_data == {"devices_removed": 1, "by_link": False}
    actions = set(AuditEntry.objects.filter(object_id=str(target.pk), object_type="account")
                  .values_list("action", flat=True))
    assert {"account.disabled", "account.enabled", "account.password_reset", "account.mfa_reset"} <= actions
    assert admin.post(f"/accounts/{target.pk}/explode/").status_code == 404


def test_an_admin_reads_no_matter_and_no_audit_trail(client_for):
    admin = client_for("admin")
    assert admin.get("/audit/").status_code == 403
    assert "audit:read" not in admin.get("/api/v1/me").json()["scopes"]


def test_the_account_list_shows_roles_and_status(accounts, client_for):
    page = client_for("admin").get("/accounts/").content.decode()
    assert "Records custodian" in page and "auditor" in page


def test_only_admins_see_other_accounts_through_the_one_helper(accounts):
    from django.http import Http404

    from closedstacks.access.objects import get_visible_or_404

    assert get_visible_or_404(User, accounts["admin"], pk=accounts["staff"].pk) == accounts["staff"]
    assert get_visible_or_404(User, accounts["staff"], pk=accounts["staff"].pk) == accounts["staff"]
    with pytest.raises(Http404):
        get_visible_or_404(User, accounts["officer"], pk=accounts["staff"].pk)


def test_own_account_page_and_password_change(accounts):
    staff = accounts["staff"]
    client = sign_in(Client(), staff)
    assert b"Staff" in client.get("/account/").content
    response = client.post("/account/password/", {"old_password": "correct horse battery staple",
                                                  "new_password1": "another long passphrase",
                                                  "new_password2": "another long passphrase"})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200  # still signed in
    assert audited("account.password_changed", staff).actor_id == staff.pk


# --- the command line --------------------------------------------------------------------


def test_user_commands_manage_accounts_and_are_audited(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0

    # Setting up: nobody else could approve yet, so the first privileged accounts are made at once.
    added = closedstacks("user", "add", "oscar", "--role", "officer", "--name", "Oscar O",
                         "--email", "oscar@library.example", env=env)
    assert added.returncode == 0, added.stderr
    assert "Temporary password" in added.stdout
    again = closedstacks("user", "add", "Oscar", env=env)
    assert again.returncode == 1 and "already exists" in again.stderr

    with_password = closedstacks("user", "add", "dana", "--role", "staff", "--password-stdin", env=env,
                                 input="a long enough passphrase\n")
    assert with_password.returncode == 0 and "Temporary" not in with_password.stdout
    weak = closedstacks("user", "add", "weak", "--password-stdin", env=env, input="123\n")
    assert weak.returncode == 1 and "too short" in weak.stderr

    roles = closedstacks("user", "roles", "oscar", "--grant", "director", "--revoke", "officer", env=env)
    assert roles.stdout.strip() == "oscar: director"
    bad_role = closedstacks("user", "roles", "oscar", "--grant", "wizard", env=env)
    assert bad_role.returncode == 2 and "wizard" in bad_role.stderr
    assert closedstacks("user", "disable", "oscar", env=env).returncode == 0
    assert closedstacks("user", "disable", "nobody", env=env).returncode == 1

    listed = json.loads(closedstacks("user", "list", "--json", env=env).stdout)
    assert {row["username"]: (row["roles"], row["status"]) for row in listed} == {
        "dana": (["staff"], "active"), "oscar": (["director"], "disabled")}
    assert closedstacks("user", "unlock", "dana", env=env).stdout.startswith("Unlocked dana")

    verified = closedstacks("audit", "verify", "--json", "--no-record", env=env)
    assert json.loads(verified.stdout)["ok"]
    export = closedstacks("manage", "shell", "-c",
                          "from closedstacks.audit.models import AuditEntry as E; "
                          "print(sorted(set(E.objects.values_list('action', 'actor_label'))))", env=env)
    actions = export.stdout
    for action in ("account.created", "account.role_granted", "account.role_revoked", "account.disabled",
                   "account.unlocked"):
        assert f"('{action}', 'cli:" in actions, action


def test_an_administrator_sets_the_branch_a_person_works_at(accounts, client_for):
    from closedstacks.audit.models import AuditEntry
    from closedstacks.library.models import Branch

    branch = Branch.objects.create(name="Eastside Branch")
    admin = client_for("admin")
    staff = accounts["staff"]
    assert admin.post(f"/accounts/{staff.pk}/branch/", {"branch": branch.pk}).status_code == 302
    staff.refresh_from_db()
    assert staff.branch == branch
    assert AuditEntry.objects.filter(action="account.branch_changed", object_id=str(staff.pk)).count() == 1
    assert client_for("officer").post(f"/accounts/{staff.pk}/branch/", {"branch": ""}).status_code == 403
    staff.refresh_from_db()
    assert staff.branch == branch


def test_the_command_line_creates_an_account_at_a_branch(accounts):
    from closedstacks.accounts.services import AccountError, create_account
    from closedstacks.library.models import Branch

    Branch.objects.create(name="Main Library")
    made, _temporary = create_account(username="newdesk", roles=["staff"], branch="main library", by="cli:test")
    assert made.branch.name == "Main Library"
    with pytest.raises(AccountError, match="no branch named 'Nowhere'"):
        create_account(username="lost", roles=["staff"], branch="Nowhere", by="cli:test")
