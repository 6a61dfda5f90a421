"""Rate limits: sign-in attempts per client address, and the API's changes per account and per client address.
Beyond a limit: 429 with Retry-After and a message (a page for sign-in, JSON for the API); reads are never
counted; the counts live in the database cache every web worker shares; the rates come from CLOSEDSTACKS_*
variables checked at start-up. (The rest of the suite runs with limits it never meets: tests/environment.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import Client

from closedstacks.access.throttle import CACHE, _Count
from closedstacks.conf.env import ConfigError, env_rate
from tests.conftest import make_account

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
HERE, ELSEWHERE = "192.0.2.10", "198.51.100.7"


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime.now(dt.timezone.utc), tick=False) as clock:
        yield clock


def sign_in_attempt(client, username, password="not the password", address=HERE, **headers):
    return client.post("/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def change(client, address=HERE):
    """A change through the API (an inquiry with nothing in it: refused by the view, if it gets that far)."""
    return client.post("/api/v1/inquiries", {}, content_type="application/json", REMOTE_ADDR=address)


# --- signing in ----------------------------------------------------------------------------------------------


def test_sign_in_attempts_beyond_the_rate_get_429_and_when_to_try_again(settings, frozen):
    settings.SIGN_IN_RATE = "3/min"
    make_account("olive", "staff")
    client = Client()
    for n in range(3):
        assert sign_in_attempt(client, f"nobody{n}").status_code == 200  # the form again, with its error
    refused = sign_in_attempt(client, "olive", PASSWORD)  # even with the right password
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    page = refused.content.decode()
    assert "Too many sign-in attempts" in page and "Wait 60 seconds, then try again." in page
    assert "_auth_user_id" not in client.session
    # Not checked against the account, so not a failure that could lock it (axes counts by account).
    assert not AccessAttempt.objects.filter(username="olive").exists()

    assert client.get("/sign-in/", REMOTE_ADDR=HERE).status_code == 200  # the page itself is not counted
    assert sign_in_attempt(Client(), "olive", PASSWORD, address=ELSEWHERE).status_code == 302  # per address
    frozen.shift(30)
    assert sign_in_attempt(client, "olive", PASSWORD)["Retry-After"] == "30"
    frozen.shift(31)
    assert sign_in_attempt(client, "olive", PASSWORD).status_code == 302


def test_a_made_up_forwarded_for_header_does_not_get_round_the_limit(settings, frozen):
    """Not behind a proxy, X-Forwarded-For is the client's own word: the address is REMOTE_ADDR."""
    assert django_settings.NINJA_NUM_PROXIES == 0
    settings.SIGN_IN_RATE = "2/min"
    client = Client()
    for n in range(2):
        sign_in_attempt(client, "nobody", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert sign_in_attempt(client, "nobody", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_sign_in_is_not_limited_with_the_rate_off(settings):
    settings.SIGN_IN_RATE = None
    for n in range(30):
        assert sign_in_attempt(Client(), f"nobody{n}").status_code == 200


# --- the API's changes ---------------------------------------------------------------------------------------


def test_api_changes_beyond_an_accounts_rate_get_429_in_json(settings, accounts, client_for, frozen):
    settings.API_WRITE_RATE, settings.API_WRITE_RATE_PER_ADDRESS = "2/min", "100/min"
    staff = client_for("staff")
    assert [change(staff).status_code for _ in range(2)] == [422, 422]  # counted before the view reads them
    refused = change(staff)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert refused.json() == {"detail": "Too many changes in a short time. Wait 60 seconds, then try again."}
    # Reads are never counted or refused.
    assert all(staff.get("/api/v1/me", REMOTE_ADDR=HERE).status_code == 200 for _ in range(5))
    # Another account at the same address has its own count.
    assert change(client_for("officer")).status_code == 422
    frozen.shift(61)
    assert change(staff).status_code == 422


def test_api_changes_beyond_an_addresss_rate_get_429(settings, accounts, client_for, frozen):
    settings.API_WRITE_RATE, settings.API_WRITE_RATE_PER_ADDRESS = "100/min", "3/min"
    assert change(client_for("staff")).status_code == 422
    assert change(client_for("officer")).status_code == 422
    assert change(client_for("director")).status_code == 422
    refused = change(client_for("counsel"))
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert change(client_for("counsel"), address=ELSEWHERE).status_code == 422


def test_every_api_operation_has_both_throttles():
    """Set on the API as a whole, so an operation added later is throttled too (its reads pass uncounted)."""
    from closedstacks.access.throttle import WriteThrottle
    from closedstacks.api.urls import api

    # The operations as served: ninja binds a copy of each router's to the API, with the API's throttles.
    operations = [operation for router in api._get_bound_routers() for path_view in router.path_operations.values()
                  for operation in path_view.operations]
    assert any("POST" in operation.methods for operation in operations)
    for operation in operations:
        assert sorted(t.per for t in operation.throttle_objects if isinstance(t, WriteThrottle)) == [
            "account", "address"], operation.view_func.__name__


def test_a_real_change_is_made_within_the_rate_and_not_beyond(settings, accounts, client_for, frozen):
    from closedstacks.matters.models import Matter

    settings.API_WRITE_RATE = "1/min"
    staff = client_for("staff")
    inquiry = {"requester_name": "A caller", "channel": "phone", "request_text": "Is my neighbour a member?"}
    made = staff.post("/api/v1/inquiries", inquiry, content_type="application/json")
    assert made.status_code == 201
    again = staff.post("/api/v1/inquiries", inquiry, content_type="application/json")
    assert again.status_code == 429 and Matter.objects.count() == 1


# --- where the counts are kept, and the rates --------------------------------------------------------------------


def test_the_counts_are_in_the_database_table_every_worker_shares(settings, accounts, client_for):
    settings.API_WRITE_RATE = "5/min"
    config = django_settings.CACHES[CACHE]
    assert config["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert config["LOCATION"] in connection.introspection.table_names()  # made by migrating (the access app)
    change(client_for("staff"))
    # Another process opening the same table (another gunicorn worker) sees the same count.
    other_worker = DatabaseCache(config["LOCATION"], {})
    key = _Count("5/min", "api-account", f"account-{accounts['staff'].pk}").get_cache_key(None)
    assert len(other_worker.get(key)) == 1


@pytest.mark.parametrize("value, read, parsed", [
    ("20/min", "20/min", (20, 60)), ("60/m", "60/m", (60, 60)), ("100/5min", "100/5min", (100, 300)),
    (" 7/Hour ", "7/hour", (7, 3600)), ("1000/day", "1000/day", (1000, 86400)), ("3/s", "3/s", (3, 1)),
    ("off", None, None),
])
def test_a_rate_is_read_as_ninja_reads_it(monkeypatch, value, read, parsed):
    monkeypatch.setenv("CLOSEDSTACKS_SOME_RATE", value)
    assert env_rate("SOME_RATE", "1/s") == read
    if read is not None:
        assert _Count(read, "x", "y").parse_rate(read) == parsed


def test_an_unset_or_empty_rate_is_its_default(monkeypatch):
    monkeypatch.delenv("CLOSEDSTACKS_SOME_RATE", raising=False)
    assert env_rate("SOME_RATE", "20/min") == "20/min"
    monkeypatch.setenv("CLOSEDSTACKS_SOME_RATE", "")
    assert env_rate("SOME_RATE", "20/min") == "20/min"


@pytest.mark.parametrize("value", ["20", "0/min", "20/minutes", "fast", "-1/min", "20/0min", "1.5/min"])
def test_a_bad_rate_stops_start_up_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("CLOSEDSTACKS_SIGN_IN_RATE", value)
    with pytest.raises(ConfigError) as bad:
        env_rate("SIGN_IN_RATE", "20/min")
    assert bad.value.name == "CLOSEDSTACKS_SIGN_IN_RATE" and "expected a rate such as 20/min" in str(bad.value)
