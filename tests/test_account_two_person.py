"""No one administrator can take over a privileged account: creating one, granting a privileged role, and
resetting a privileged account's password or second factor wait for a second person (another administrator, the
director or the officer; never the one who asked, never the owner), expire, and are audited; the owner is told,
and a new password or second factor reaches them only as a one-time link by e-mail."""

from __future__ import annotations

import datetime as dt
import email.message
import hashlib
import json
import os
import re

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from closedstacks.accounts import approvals, services
from closedstacks.accounts.models import AccountLink, PendingAccountChange, User
from closedstacks.audit.models import AuditEntry
from closedstacks.notices.models import Notice
from tests.conftest import cli_env, closedstacks, python_in, race, run_jobs, text

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"  # the personas' (tests/conftest.py)
NEW_PASSWORD = "a passphrase of my very own"
LINK = re.compile(r"https?://[^\s/]+/account/link/\?t=([A-Za-z0-9_-]+)")
NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
CSRF = re.compile(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


def decide(client, change, decision: str):
    return client.post("/accounts/changes/decide/", {"change": change.pk, "decision": decision}, follow=True)


def body(message) -> str:
    if isinstance(message, email.message.Message):
        return message.get_payload(decode=True).decode("utf-8")
    return message.body


def token_in(message) -> str:
    found = LINK.search(body(message))
    assert found, body(message)
    return found.group(1)


def letters_to(inbox, address: str) -> list:
    """Messages to ``address`` that carry a one-time link (``smtp``'s (recipients, message) pairs)."""
    return [message for to, message in inbox if to == [address] and LINK.search(body(message))]


def actions(obj_type: str, obj_id) -> list[str]:
    return list(AuditEntry.objects.filter(object_type=obj_type, object_id=str(obj_id)).order_by("seq")
                .values_list("action", flat=True))


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def use_link(token: str) -> tuple[Client, str]:
    """Open a link as its e-mail's reader would; return the client and the page (without its CSRF token)."""
    client = Client()
    opened = client.get(f"/account/link/?t={token}")
    assert opened.status_code == 302 and opened.url == "/account/link/"  # the token leaves the address at once
    return client, CSRF.sub("", text(client.get("/account/link/")))


INVALID = "This link cannot be used"


# --- each way to take over an account, on the web -----------------------------------------------------------


def test_creating_a_privileged_account_waits_for_a_second_person(accounts, client_for):
    admin = client_for("admin")
    asked = admin.post("/accounts/new/", {"username": "eve", "email": "eve@library.example", "roles": ["officer"]},
                       follow=True)
    assert "waits for a second person" in text(asked)
    assert not User.objects.filter(username="eve").exists()
    change = PendingAccountChange.objects.get(username="eve")
    assert (change.kind, change.roles, change.requested_by, change.outcome) == (
        "create", ["officer"], accounts["admin"], "pending")
    assert change.expires_at - change.requested_at == dt.timedelta(hours=24)

    own = decide(admin, change, "approve")
    assert "Nobody approves their own request" in text(own)
    assert not User.objects.filter(username="eve").exists()

    decide(client_for("admin2"), change, "approve")
    eve = User.objects.get(username="eve")
    assert eve.roles == {"officer"} and not eve.has_usable_password()  # she chooses it, through her link
    assert actions("account_change", change.pk) == ["account.change_requested", "account.change_approval_refused"]
    assert actions("account", eve.pk)[:3] == ["account.created", "account.change_approved", "account.link_issued"]
    requested = AuditEntry.objects.get(action="account.change_requested", object_id=str(change.pk))
    assert requested.details_data == {"change": change.pk, "kind": "create", "roles": ["officer"],
                                      "requested_by": accounts["admin"].pk}
    assert "eve" not in requested.details  # accounts by id only


def test_granting_a_privileged_role_waits_and_is_decided_once(accounts, client_for):
    staff = accounts["staff"]
    admin = client_for("admin")
    admin.post(f"/accounts/{staff.pk}/", {"roles": ["staff", "custodian"]})
    staff.forget_roles()
    assert staff.roles == {"staff"}
    change = PendingAccountChange.objects.get(kind="grant", account=staff)
    assert "Nobody approves their own request" in text(decide(admin, change, "approve"))
    assert client_for("staff").post("/accounts/changes/decide/",
                                    {"change": change.pk, "decision": "approve"}).status_code == 403
    staff.forget_roles()
    assert staff.roles == {"staff"}

    decide(client_for("officer"), change, "approve")
    staff.forget_roles()
    assert staff.roles == {"staff", "custodian"}
    granted = AuditEntry.objects.filter(action="account.role_granted", object_id=str(staff.pk)).get()
    assert granted.details_data == {"role": "custodian", "change": change.pk}
    assert "decided already" in text(decide(client_for("director"), change, "approve"))
    assert AuditEntry.objects.filter(action="account.change_approved").count() == 1


def test_resetting_a_privileged_password_waits_and_shows_no_password(accounts, client_for, mailoutbox):
    officer = accounts["officer"]
    asked = client_for("admin").post(f"/accounts/{officer.pk}/reset-password/", follow=True)
    assert "temporary password" not in text(asked).lower() and not LINK.search(text(asked))
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD) and not officer.must_change_password
    assert not AccountLink.objects.filter(user=officer).exists() and mailoutbox == []

    # The owner is told at once, in the app and by e-mail (the job worker sends the notice's e-mail).
    notice = Notice.objects.get(recipient=officer, subject__startswith="Requested on your account")
    change = PendingAccountChange.objects.get(account=officer)
    assert f"(change #{change.pk})" in notice.body  # the owner can name the change they did not expect
    run_jobs()
    told = [m for m in mailoutbox if m.to == ["officer@example.org"]]
    assert len(told) == 1 and "asked to reset the password" in told[0].body and not LINK.search(told[0].body)

    change = PendingAccountChange.objects.get(kind="reset_password", account=officer)
    approved = decide(client_for("director"), change, "approve")
    assert not LINK.search(text(approved))
    (letter,) = [m for m in mailoutbox if m.to == ["officer@example.org"] and LINK.search(m.body)]
    assert token_in(letter) not in text(approved)
    assert Notice.objects.filter(recipient=officer, subject=f"Account change #{change.pk}: approved and applied")


def test_resetting_a_privileged_second_factor_waits_and_only_the_links_owner_enrols(accounts, client_for,
                                                                                   mailoutbox):
    officer = accounts["officer"]
    client_for("officer")  # has an authenticator
    client_for("admin").post(f"/accounts/{officer.pk}/reset-mfa/")
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 1  # nothing removed yet
    change = PendingAccountChange.objects.get(kind="reset_mfa", account=officer)
    decide(client_for("admin2"), change, "approve")
    assert not TOTPDevice.objects.filter(user=officer).exists()

    # Whoever knows the password, without the link, cannot enrol an authenticator of their own.
    thief = Client()
    thief.post("/sign-in/", {"username": "officer", "password": PASSWORD})
    assert thief.get("/").url == "/sign-in/second-factor/"
    page = thief.get("/sign-in/second-factor/")
    assert "Open the link in your e-mail" in text(page) and b"<svg" not in page.content
    assert not TOTPDevice.objects.filter(user=officer).exists()

    (letter,) = [m for m in mailoutbox if LINK.search(m.body)]
    assert letter.to == ["officer@example.org"]
    owner, page = use_link(token_in(letter))
    assert "Set up your second factor again" in page
    assert "not right" in text(owner.post("/account/link/", {"password": "a guess"}))
    proven = owner.post("/account/link/", {"password": PASSWORD})
    assert proven.url == "/sign-in/second-factor/"
    assert b"<svg" in owner.get("/sign-in/second-factor/").content
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    done = owner.post("/sign-in/second-factor/", {"token": current_code(device)})
    assert "Your second factor is set up" in text(done)
    officer.refresh_from_db()
    assert not officer.second_factor_by_link
    assert INVALID in use_link(token_in(letter))[1]  # once only


# --- who decides ----------------------------------------------------------------------------------------------


def test_the_owner_of_the_account_cannot_approve_a_change_to_it(accounts, client_for):
    director = accounts["director"]
    client_for("admin").post(f"/accounts/{director.pk}/reset-password/")
    change = PendingAccountChange.objects.get(account=director)
    listed = text(client_for("director").get("/accounts/changes/"))
    assert "Nobody approves a change to their own account." in listed
    assert "Nobody approves a change to their own account." in text(decide(client_for("director"), change,
                                                                           "approve"))
    change.refresh_from_db()
    assert change.outcome == "pending" and not AccountLink.objects.filter(user=director).exists()
    # The owner may refuse it, though, and the person who asked is told.
    decide(client_for("director"), change, "refuse")
    change.refresh_from_db()
    assert change.outcome == "refused" and change.decided_by == director
    assert Notice.objects.filter(recipient=accounts["admin"], subject=f"Account change #{change.pk}: refused")


def test_the_changes_page_is_for_administrators_the_director_and_the_officer(accounts, client_for):
    change = approvals.request_password_reset(accounts["counsel"], by=accounts["admin"]).change
    for role in ("admin", "director", "officer"):
        assert client_for(role).get("/accounts/changes/").status_code == 200, role
    for role in ("staff", "counsel", "custodian", "auditor"):
        client = client_for(role)
        assert client.get("/accounts/changes/").status_code == 403, role
        assert client.post("/accounts/changes/decide/", {"change": change.pk, "decision": "approve"}
                           ).status_code == 403, role
    with pytest.raises(services.AccountError, match="cannot approve"):
        approvals.approve(change.pk, by=accounts["counsel"])
    change.refresh_from_db()
    assert change.outcome == "pending"


def test_those_who_may_approve_see_what_waits_for_them(accounts, client_for):
    change = approvals.request_grant(accounts["staff"], ["counsel"], by=accounts["admin"]).change
    for role in ("director", "officer", "admin2"):
        home = text(client_for(role).get("/"))
        assert "1 account change waits for a second person's approval." in home, role
    assert "waits for a second person" not in text(client_for("admin").get("/"))  # they asked for it
    assert "waits for a second person" not in text(client_for("counsel").get("/"))
    account_page = text(client_for("admin2").get(f"/accounts/{accounts['staff'].pk}/"))
    assert f"#{change.pk} Grant privileged roles: Counsel" in account_page
    listed = text(client_for("director").get("/accounts/changes/"))
    assert "staff@example.org" in listed and "Approve" in listed  # where the owner's notices will go


def test_the_services_refuse_a_privileged_change_without_its_approval(accounts):
    admin, officer = accounts["admin"], accounts["officer"]
    with pytest.raises(services.AccountError, match="second person"):
        services.create_account(username="eve", roles=["officer"], email="eve@example.org", by=admin)
    for by in (admin, "cli:root"):
        with pytest.raises(services.AccountError, match="second person"):
            services.grant_role(accounts["staff"], "counsel", by=by)
        with pytest.raises(services.AccountError, match="second person"):
            services.reset_password(officer, by=by)
        with pytest.raises(services.AccountError, match="second person"):
            services.reset_mfa(officer, by=by)
    # An approved change for one account does nothing for another.
    other = approvals.request_password_reset(accounts["director"], by=admin).change
    approvals.approve(other.pk, by=accounts["admin2"])
    other.refresh_from_db()
    with pytest.raises(services.AccountError, match="second person"):
        services.reset_password(officer, by=admin, approval=other)
    # Nor does a change merely said to be approved.
    made_up = PendingAccountChange(kind="reset_password", account=officer, outcome="approved", requested_by=admin)
    with pytest.raises(services.AccountError, match="second person"):
        services.reset_password(officer, by=admin, approval=made_up)


def test_no_privileged_role_without_an_e_mail_address(accounts, client_for):
    admin = client_for("admin")
    refused = admin.post("/accounts/new/", {"username": "nomail", "roles": ["counsel"]})
    assert "without an e-mail address cannot hold a privileged role" in text(refused)
    desk, _ = services.create_account(username="desk2", roles=["staff"], by="test")
    refused = admin.post(f"/accounts/{desk.pk}/", {"roles": ["staff", "auditor"]})
    assert "without an e-mail address" in text(refused)
    assert not PendingAccountChange.objects.exists()


def test_desk_accounts_still_change_in_one_step_with_a_link_by_e_mail(accounts, client_for, mailoutbox):
    made = client_for("admin").post("/accounts/new/", {"username": "dana", "email": "dana@library.example",
                                                       "roles": ["staff"]}, follow=True)
    dana = User.objects.get(username="dana")
    assert not PendingAccountChange.objects.exists() and not dana.has_usable_password()
    (letter,) = mailoutbox
    assert letter.to == ["dana@library.example"] and token_in(letter) not in text(made)
    _, page = use_link(token_in(letter))
    assert "Choose your password" in page and "dana" in page


# --- time limits ------------------------------------------------------------------------------------------


def test_a_change_nobody_approves_in_time_expires(accounts, client_for, settings):
    settings.ACCOUNT_APPROVAL_HOURS = 2
    officer = accounts["officer"]
    with time_machine.travel(NOON, tick=False) as clock:
        change = approvals.request_password_reset(officer, by=accounts["admin"]).change
        listed = approvals.request_grant(accounts["staff"], ["auditor"], by=accounts["admin"]).change
        assert change.expires_at == NOON + dt.timedelta(hours=2)
        clock.shift(dt.timedelta(hours=2, minutes=1))
        with pytest.raises(services.AccountError, match="expired"):
            approvals.approve(change.pk, by=accounts["director"])
        assert client_for("director").get("/accounts/changes/").status_code == 200  # listing expires the rest
    change.refresh_from_db()
    listed.refresh_from_db()
    assert (change.outcome, listed.outcome) == ("expired", "expired")
    assert not AccountLink.objects.filter(user=officer).exists()
    assert actions("account", officer.pk)[-1] == "account.change_expired"
    accounts["staff"].forget_roles()
    assert accounts["staff"].roles == {"staff"}


def test_the_one_time_link_works_once_and_expires_and_says_nothing_of_the_account(accounts, settings, mailoutbox):
    settings.ACCOUNT_LINK_HOURS = 1
    officer, director = accounts["officer"], accounts["director"]
    with time_machine.travel(NOON, tick=False) as clock:
        for account in (officer, director):
            change = approvals.request_password_reset(account, by=accounts["admin"]).change
            approvals.approve(change.pk, by=accounts["admin2"])
        to_officer, to_director = (token_in(m) for m in mailoutbox)
        stored = AccountLink.objects.get(user=officer)
        assert stored.token_hash == hashlib.sha256(to_officer.encode()).hexdigest()
        assert not AccountLink.objects.filter(token_hash=to_officer).exists()

        client, page = use_link(to_officer)
        assert "Choose your password" in page
        client.post("/account/link/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        officer.refresh_from_db()
        assert officer.check_password(NEW_PASSWORD)
        used = use_link(to_officer)[1]

        clock.shift(dt.timedelta(hours=1, minutes=1))
        expired = use_link(to_director)[1]
        director.refresh_from_db()
        assert director.check_password(PASSWORD)
    unknown = use_link("x" * 43)[1]
    assert INVALID in unknown and used == expired == unknown


# --- the owner's e-mail, on a real SMTP server -------------------------------------------------------------


def test_the_new_owner_gets_their_link_by_smtp_sets_their_password_and_enrols(accounts, client_for, smtp):
    admin = client_for("admin")
    asked = admin.post("/accounts/new/", {"username": "rosa", "full_name": "Rosa Reyes",
                                          "email": "rosa@library.example", "roles": ["officer"]}, follow=True)
    assert [to for to, _ in smtp] == [["rosa@library.example"]]  # told at once that it is being set up
    assert "A second person must approve it" in body(smtp[0][1]) and not LINK.search(body(smtp[0][1]))
    run_jobs()  # the notices to those who may approve, by e-mail
    told = {to[0] for to, _ in smtp[1:]}
    assert {"admin2@example.org", "director@example.org", "officer@example.org"} <= told
    assert "admin@example.org" not in told

    change = PendingAccountChange.objects.get(username="rosa")
    approved = decide(client_for("director"), change, "approve")
    (letter,) = letters_to(smtp, "rosa@library.example")
    token = token_in(letter)
    for page in (asked, approved):
        assert token not in text(page) and not LINK.search(text(page))
    assert "rosa" in body(letter) and "Temporary password" not in body(letter)
    rosa = User.objects.get(username="rosa")
    assert not rosa.has_usable_password()  # no password exists that anyone but Rosa could have read
    for entry in AuditEntry.objects.all():
        assert token not in entry.details and "password\":" not in entry.details
    assert not Notice.objects.filter(body__contains=token).exists()

    owner, page = use_link(token)
    assert "Choose your password" in page
    assert "too short" in text(owner.post("/account/link/", {"new_password1": "short", "new_password2": "short"}))
    done = owner.post("/account/link/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.url == "/sign-in/"
    assert INVALID in use_link(token)[1]

    rosa_client = Client()
    rosa_client.post("/sign-in/", {"username": "rosa", "password": NEW_PASSWORD})
    assert rosa_client.get("/").url == "/sign-in/second-factor/"
    assert b"<svg" in rosa_client.get("/sign-in/second-factor/").content
    device = TOTPDevice.objects.get(user=rosa, confirmed=False)
    assert "Your second factor is set up" in text(rosa_client.post("/sign-in/second-factor/",
                                                                   {"token": current_code(device)}))
    assert rosa_client.get("/").status_code == 200
    assert "account.password_changed" in actions("account", rosa.pk)


# --- the command line -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_command_line_needs_a_second_named_person_too(scratch_url, tmp_path, smtp, settings):
    env = cli_env(scratch_url, tmp_path, CLOSEDSTACKS_SMTP_HOST="127.0.0.1", CLOSEDSTACKS_SMTP_PORT=settings.EMAIL_PORT,
                  CLOSEDSTACKS_SMTP_STARTTLS="false", CLOSEDSTACKS_SITE_URL="https://privacy.library.example")

    def run(*args, input=None):
        return closedstacks(*args, env=env, input=input)

    def change_id(done) -> str:
        assert done.returncode == 0 and "waits for a second person" in done.stdout, done.stdout + done.stderr
        return re.search(r"Change #(\d+)", done.stdout).group(1)

    assert run("migrate").returncode == 0
    # Setting up: until two people could approve, the command line makes their accounts at once.
    assert "Created alex" in run("user", "add", "alex", "--role", "admin", "--email", "alex@library.example",
                                 "--password-stdin", input=PASSWORD + "\n").stdout
    assert "Created dora" in run("user", "add", "dora", "--role", "director", "--email", "dora@library.example").stdout

    unnamed = run("user", "add", "oscar", "--role", "officer", "--email", "oscar@library.example")
    assert unnamed.returncode == 1 and "--by USERNAME" in unnamed.stderr
    create = change_id(run("user", "add", "oscar", "--role", "officer", "--email", "oscar@library.example",
                           "--by", "alex"))
    assert "oscar" not in run("user", "list").stdout
    with_password = run("user", "add", "eve", "--role", "counsel", "--email", "eve@library.example", "--by", "alex",
                        "--password-stdin", input=PASSWORD + "\n")
    assert with_password.returncode == 1 and "one-time link" in with_password.stderr
    own = run("user", "approve", create, "--as", "alex")
    assert own.returncode == 1 and "Nobody approves their own request" in own.stderr
    approved = run("user", "approve", create, "--as", "dora")
    assert approved.returncode == 0 and "A one-time link went to the owner" in approved.stdout
    (letter,) = letters_to(smtp, "oscar@library.example")
    assert token_in(letter) not in approved.stdout + approved.stderr
    assert "https://privacy.library.example/account/link/" in body(letter)

    assert "Created dana" in run("user", "add", "dana", "--role", "staff", "--email", "dana@library.example").stdout
    unnamed = run("user", "roles", "dana", "--grant", "custodian", "--revoke", "staff")
    assert unnamed.returncode == 1 and "dana: staff" in run("user", "roles", "dana").stdout  # nothing changed
    grant = run("user", "roles", "dana", "--grant", "custodian", "--by", "alex")
    assert grant.stdout.startswith("dana: staff\n")
    grant = change_id(grant)
    password = change_id(run("user", "reset-password", "oscar", "--by", "alex"))
    factor = change_id(run("user", "reset-mfa", "oscar", "--by", "alex"))
    waiting = json.loads(run("user", "pending", "--json").stdout)
    assert {(row["id"], row["kind"], row["account"]) for row in waiting} == {
        (int(grant), "grant", "dana"), (int(password), "reset_password", "oscar"),
        (int(factor), "reset_mfa", "oscar")}

    themselves = run("user", "approve", password, "--as", "oscar")
    assert themselves.returncode == 1 and "their own account" in themselves.stderr
    assert run("user", "refuse", factor, "--as", "dora").returncode == 0
    assert run("user", "approve", grant, "--as", "oscar").returncode == 0
    assert "custodian" in run("user", "roles", "dana").stdout
    assert run("user", "approve", factor, "--as", "dora").returncode == 1  # decided once

    assert json.loads(run("audit", "verify", "--json", "--no-record").stdout)["ok"]
    export = run("manage", "shell", "-c", "from closedstacks.audit.models import AuditEntry as E; "
                 "print(sorted(set(E.objects.values_list('action', 'actor_label'))))").stdout
    for action in ("account.change_requested", "account.change_approved", "account.change_refused",
                   "account.change_approval_refused"):
        assert f"('{action}', 'cli:" in export, action


@pytest.mark.slow
def test_the_approval_time_limit_is_a_checked_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSEDSTACKS_")}
    env.update(CLOSEDSTACKS_DATA_DIR=str(tmp_path), CLOSEDSTACKS_ACCOUNT_APPROVAL_HOURS="0")
    done = closedstacks("check", env=env)
    assert done.returncode == 2 and done.stderr.startswith("Configuration error: CLOSEDSTACKS_ACCOUNT_APPROVAL_HOURS")
    assert "must be at least 1" in done.stderr


RACE_SETUP = """
from closedstacks.accounts import approvals
from tests.conftest import make_account
people = {name: make_account(name, role) for name, role in
          [('admin', 'admin'), ('admin2', 'admin'), ('director', 'director'), ('officer', 'officer')]}
print(approvals.request_password_reset(people['officer'], by=people['admin']).change.pk)
"""

RACE = """
import sys
from closedstacks.accounts import approvals
from closedstacks.accounts.models import User
from closedstacks.accounts.services import AccountError
change, who = int(sys.argv[1]), sys.argv[2]
person = User.objects.get(username=who)
print('ready', flush=True)
sys.stdin.readline()  # both go together, once both are ready
try:
    (approvals.approve if who == 'admin2' else approvals.refuse)(change, by=person)
    print('won')
except AccountError as exc:
    print('lost:', exc)
"""


@pytest.mark.slow
def test_two_people_deciding_at_once_decide_it_once(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    change = python_in(RACE_SETUP, env=env).strip()
    outcomes = race(RACE, [[change, who] for who in ("admin2", "director")], env=env)
    assert sorted(o.split(":")[0] for o in outcomes) == ["lost", "won"], outcomes
    assert any("was decided already" in o for o in outcomes)
    decisions = python_in(
        "from closedstacks.audit.models import AuditEntry as E\n"
        "print(E.objects.filter(action__in=['account.change_approved', 'account.change_refused']).count(), "
        "E.objects.filter(action='account.link_issued').count())", env=env).split()
    assert decisions[0] == "1" and decisions[1] in ("0", "1")
