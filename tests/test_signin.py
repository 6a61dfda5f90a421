"""Signing in: second factor for privileged roles, lockout and unlock, idle timeout."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from closedstacks.audit.models import AuditEntry
from tests.conftest import make_account, sign_in

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def password_sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def actions_for(user) -> list[str]:
    return list(AuditEntry.objects.filter(object_type="account", object_id=str(user.pk))
                .order_by("seq").values_list("action", flat=True))


# --- second factor -------------------------------------------------------------------


def test_a_director_enrols_with_a_qr_code_and_gets_recovery_codes():
    director = make_account("dolores", "director")
    client = Client()
    response = password_sign_in(client, "dolores")
    assert response.status_code == 302
    # Whatever they ask for, they are sent to enrolment first.
    assert client.get("/").url == "/sign-in/second-factor/"
    page = client.get("/sign-in/second-factor/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"QR code" in page.content
    device = TOTPDevice.objects.get(user=director, confirmed=False)

    with time_machine.travel(dt.datetime.now(dt.timezone.utc), tick=False) as clock:
        wrong = client.post("/sign-in/second-factor/", {"token": "1" if current_code(device) != "1" else "2"})
        assert wrong.status_code == 200 and b"not right" in wrong.content
        # A second try at once is not even checked: wrong codes slow the next one down.
        assert b"Wait 1 second," in client.post("/sign-in/second-factor/", {"token": current_code(device)}).content
        clock.shift(2)
        done = client.post("/sign-in/second-factor/", {"token": current_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=director).values_list("token", flat=True))
    assert client.get("/").status_code == 200
    assert "account.mfa_enrolled" in actions_for(director)


def test_a_privileged_sign_in_without_the_second_factor_reaches_nothing():
    counsel = make_account("carmen", "counsel")
    sign_in(Client(), counsel)  # gives counsel a confirmed device
    client = Client()
    password_sign_in(client, "carmen")
    for url in ["/", "/account/", "/audit/", "/accounts/", "/account/password/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/sign-in/verify/", url
    assert client.get("/api/v1/me").status_code == 403


def test_the_code_from_the_app_finishes_signing_in():
    counsel = make_account("carmen", "counsel")
    sign_in(Client(), counsel)
    device = TOTPDevice.objects.get(user=counsel)
    client = Client()
    password_sign_in(client, "carmen")
    with time_machine.travel(dt.datetime.now(dt.timezone.utc), tick=False) as clock:
        assert b"not right" in client.post("/sign-in/verify/", {"token": "12345"}).content
        clock.shift(2)
        response = client.post("/sign-in/verify/", {"token": current_code(device)})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/account/").status_code == 200
    assert actions_for(counsel)[-2:] == ["account.mfa_failed", "account.mfa_verified"]


def test_a_recovery_code_works_once():
    auditor = make_account("ada", "auditor")
    first = Client()
    password_sign_in(first, "ada")
    first.get("/sign-in/second-factor/")
    device = TOTPDevice.objects.get(user=auditor)
    codes = re.findall(r"<li>([a-z0-9]{8})</li>",
                       first.post("/sign-in/second-factor/", {"token": current_code(device)}).content.decode())
    second = Client()
    password_sign_in(second, "ada")
    assert second.post("/sign-in/verify/", {"token": codes[0]}).url == "/"
    third = Client()
    password_sign_in(third, "ada")
    assert third.post("/sign-in/verify/", {"token": codes[0]}).status_code == 200  # used up
    assert StaticToken.objects.filter(device__user=auditor).count() == 9
    verified = AuditEntry.objects.filter(action="account.mfa_verified", object_id=str(auditor.pk)).latest("seq")
    assert verified.details_data == {"method": "recovery_code"}


def test_plain_staff_need_no_second_factor():
    make_account("dana", "staff")
    client = Client()
    password_sign_in(client, "dana")
    assert client.get("/").status_code == 200


def test_a_staff_member_who_enrolled_must_use_it():
    staff = make_account("dana", "staff")
    sign_in(Client(), staff)
    TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    client = Client()
    password_sign_in(client, "dana")
    assert client.get("/").url == "/sign-in/verify/"


def test_a_temporary_password_must_be_replaced_first():
    from closedstacks.accounts import services

    user, temporary = services.create_account(username="newhire", roles=["staff"], by="cli:root")
    client = Client()
    password_sign_in(client, "newhire", temporary)
    assert client.get("/").url == "/sign-in/new-password/"
    weak = client.post("/sign-in/new-password/", {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200
    ok = client.post("/sign-in/new-password/", {"new_password1": "a much longer passphrase",
                                                "new_password2": "a much longer passphrase"})
    assert ok.url == "/"
    assert client.get("/").status_code == 200
    assert "account.password_changed" in actions_for(user)


# --- lockout ---------------------------------------------------------------------------


def test_repeated_failures_lock_the_account_until_an_admin_unlocks_it(settings):
    victim = make_account("oscar", "staff")
    admin = make_account("alex", "admin")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_sign_in(Client(), "oscar", "wrong password").status_code == 200
    assert password_sign_in(Client(), "oscar", "wrong password").status_code == 429
    locked = password_sign_in(Client(), "oscar")  # now even the right password
    assert locked.status_code == 429 and b"This account is locked" in locked.content
    actions = actions_for(victim)
    assert actions.count("account.sign_in_failed") >= settings.AXES_FAILURE_LIMIT
    assert "account.locked_out" in actions

    admin_client = sign_in(Client(), admin)
    assert b"locked" in admin_client.get(f"/accounts/{victim.pk}/").content
    assert admin_client.post(f"/accounts/{victim.pk}/unlock/").status_code == 302
    unlocked = AuditEntry.objects.filter(action="account.unlocked", object_id=str(victim.pk)).get()
    assert unlocked.actor_id == admin.pk and unlocked.details_data["was_locked"] is True
    assert password_sign_in(Client(), "oscar").status_code == 302


def test_a_failed_sign_in_with_an_unknown_name_records_no_name():
    password_sign_in(Client(), "hunter2-typed-in-the-wrong-field", "x")
    entry = AuditEntry.objects.filter(action="account.sign_in_failed").latest("seq")
    assert entry.object_type == "" and entry.details_data == {"known_account": False}
    assert "hunter2" not in entry.details + entry.actor_label


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end():
    from closedstacks.accounts import services

    staff = make_account("dana", "staff")
    client = sign_in(Client(), staff)
    services.disable_account(staff, by="cli:root")
    assert client.get("/").status_code == 302
    assert password_sign_in(Client(), "dana").status_code == 200


# --- sessions ------------------------------------------------------------------------------


def test_an_idle_session_ends(settings):
    staff = make_account("dana", "staff")
    idle = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    with time_machine.travel(dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.timezone.utc), tick=False) as clock:
        client = sign_in(Client(), staff)
        assert client.get("/").status_code == 200
        clock.shift(idle - dt.timedelta(minutes=1))
        assert client.get("/").status_code == 200  # activity keeps it alive...
        clock.shift(idle - dt.timedelta(minutes=1))
        assert client.get("/").status_code == 200
        clock.shift(idle + dt.timedelta(minutes=1))  # ...idleness ends it
        response = client.get("/")
        assert response.status_code == 302 and response.url.startswith("/sign-in/")


def test_signing_out_is_a_post_and_is_audited():
    staff = make_account("dana", "staff")
    client = sign_in(Client(), staff)
    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/").url == "/sign-in/"
    assert client.get("/").status_code == 302
    assert actions_for(staff)[-1] == "account.signed_out"
