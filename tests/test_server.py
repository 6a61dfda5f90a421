
"""`closedstacks demo` and `closedstacks serve`, started as an operator starts them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from closedstacks.demo.lived_in import MATTERS
from tests.conftest import cli_env, closedstacks, python_in
from tests.environment import HIGH_RATES

pytestmark = pytest.mark.slow  # servers started as an operator starts them


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 120) -> bytes:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "closedstacks"), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise


def demo_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSEDSTACKS_")}
    env["CLOSEDSTACKS_DATA_DIR"] = str(tmp_path / "var")
    env.update(HIGH_RATES)
    return env


@pytest.fixture(scope="module")
def made_demo(tmp_path_factory):
    """`closedstacks demo --no-serve` in an empty data directory, once for the tests of the demo here."""
    tmp_path = tmp_path_factory.mktemp("demo")
    env = demo_env(tmp_path)
    first = closedstacks("demo", "--no-serve", env=env, timeout=900)
    assert first.returncode == 0, first.stderr
    return tmp_path, env, first


# The demo runs on SQLite only, whatever the database under test: ./run test leaves these out of the PostgreSQL
# pass, where they would be the very same run again.
@pytest.mark.demo
def test_demo_sets_up_accounts_for_every_role_and_says_it_is_a_demo(made_demo):
    tmp_path, env, first = made_demo
    assert "CLOSED STACKS DEMO" in first.stdout and "These passwords are public" in first.stdout
    for username in ("desk", "desk2", "desk3", "officer", "director", "counsel", "counsel2", "custodian", "auditor",
                     "admin"):
        assert f" {username} " in first.stdout and f"demo-{username}-pass" in first.stdout
    assert (tmp_path / "var" / "demo.sqlite3").exists() and (tmp_path / "var" / "demo.marker").exists()
    # What it is making, as it makes it (on standard error; the accounts' table is the output).
    stories = len(MATTERS)
    for line in ("[demo] accounts: 10…", "[demo] library system: 3,000 users, 40,000 loans…",
                 f"[demo] matters 3/{stories}…", f"[demo] matters {stories}/{stories}…", "[demo] retention runs"):
        assert line in first.stderr
    # The demo's library system: a Koha-shaped SQLite file, connected and working.
    assert (tmp_path / "var" / "demo-koha.sqlite3").exists() and "demo-koha.sqlite3" in first.stdout
    demo_db = {**env, "CLOSEDSTACKS_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'demo.sqlite3'}"}
    tested = closedstacks("connector", "test", "demo-koha", env=demo_db)
    assert tested.returncode == 0 and "Connection OK." in tested.stdout and "old_issues" in tested.stdout
    # A lived-in library: matters at every step, and the rest of the product with a history.
    assert "Made the demo library's matters" in first.stdout
    lived_in = json.loads(python_in(LIVED_IN, env=demo_db))
    assert {"referred", "declined", "in_review", "defective", "challenged", "scope_proposed", "production_review",
            "closed", "warrant_executed", "emergency_pending", "withdrawn"} <= set(lived_in["states"])
    assert lived_in["warrant"] and lived_in["gagged_seen_by"] == ["counsel", "director", "officer"]
    assert lived_in["incidents"] >= 3 and lived_in["completions"] > 0 and lived_in["report"] == "draft"
    assert lived_in["runs"] == [True, False] and lived_in["census"] >= 2 and lived_in["audits"] == 2
    again = closedstacks("demo", "--no-serve", env=env)  # a second run changes nothing
    assert again.returncode == 0 and again.stdout == first.stdout.replace(
        "Made the demo library's matters, reports, training and retention history.\n", "")
    assert json.loads(python_in(LIVED_IN, env=demo_db)) == lived_in


LIVED_IN = """
import json
from closedstacks.accounts.models import User
from closedstacks.incidents.models import Incident
from closedstacks.matters.models import Matter
from closedstacks.transparency.models import TransparencyReport
from closedstacks.retention.models import LinkedCensus, PrivacyAudit, RetentionRun
from closedstacks.training.models import Completion
gagged = Matter.objects.get(nondisclosure=True)
print(json.dumps({
    "states": sorted(set(Matter.objects.values_list("state", flat=True))),
    "warrant": Matter.objects.filter(kind="warrant").exists(),
    "gagged_seen_by": sorted(u.username for u in User.objects.all() if Matter.objects.visible_to(u).filter(
        pk=gagged.pk).exists()),
    "incidents": Incident.objects.count(), "completions": Completion.objects.count(),
    "report": TransparencyReport.objects.get().status,
    "runs": list(RetentionRun.objects.order_by("pk").values_list("dry_run", flat=True)),
    "census": LinkedCensus.objects.count(), "audits": PrivacyAudit.objects.count(),
}))
"""


@pytest.mark.demo
def test_demo_serves_the_library_on_its_port(made_demo):
    """Started again on a demo made before (the browser tests serve one made afresh), it serves at once."""
    tmp_path, env, _first = made_demo
    port = free_port()
    server = start(["demo", "--bind", f"127.0.0.1:{port}"], env)
    try:
        page = wait_for(f"http://127.0.0.1:{port}/sign-in/", server, timeout=420).decode()
        assert "DEMO" in page and "demo-officer-pass" in page
        css = wait_for(f"http://127.0.0.1:{port}/static/closedstacks/site.css", server)
        assert b"--accent" in css
    finally:
        stop(server)


@pytest.mark.demo
def test_demo_reset_deletes_the_demo_and_makes_it_afresh(made_demo):
    """Last of the demo's tests here: it remakes the demo the others used."""
    tmp_path, env, first = made_demo
    demo_db = {**env, "CLOSEDSTACKS_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'demo.sqlite3'}"}
    count = ("from closedstacks.matters.models import Matter; "
             "print(Matter.objects.count(), Matter.objects.filter(request_text='changed').count())")
    python_in("from closedstacks.matters.models import Matter; Matter.objects.update(request_text='changed')",
              env=demo_db)
    stories = str(len(MATTERS))
    assert python_in(count, env=demo_db).split() == [stories, stories]
    secret = (tmp_path / "var" / "secret_key").read_text()
    again = closedstacks("demo", "--reset", "--no-serve", env=env, timeout=900)
    assert again.returncode == 0, again.stderr
    assert "[demo] reset: deleted demo.sqlite3" in again.stderr
    assert f"[demo] matters {stories}/{stories}…" in again.stderr
    assert again.stdout == first.stdout  # made afresh, all of it
    assert python_in(count, env=demo_db).split() == [stories, "0"]
    assert (tmp_path / "var" / "secret_key").read_text() == secret  # the keys are kept


def test_serve_refuses_an_unmigrated_database_then_serves(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path, CLOSEDSTACKS_HTTPS="false")
    refused = closedstacks("serve", env=env)
    assert refused.returncode == 1 and "closedstacks migrate" in refused.stderr
    assert closedstacks("migrate", env=env).returncode == 0
    port = free_port()
    server = start(["serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/health/", server) == b"ok"
        page = wait_for(f"http://127.0.0.1:{port}/sign-in/", server).decode()
        assert "DEMO" not in page
    finally:
        stop(server)
    access_log = server.stderr.read() + server.stdout.read()
    assert '"GET /health/"' in access_log
