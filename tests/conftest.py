"""Personas and helpers shared by the tests.

Personas are built around the seven roles: one signed-in client per role
(second factor passed), an anonymous visitor, and a privileged person who
gave the right password but not yet the second factor.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from closedstacks.access.roles import Role
from closedstacks.accounts import services
from closedstacks.bench.databases import scratch_database
from tests.environment import HIGH_RATES

ROLES = [role.value for role in Role]


def pytest_configure(config):
    # Hashing a password with argon2 takes about 200 ms here, and most tests make several accounts: tests hash
    # with MD5 instead. The real settings keep argon2 (tests/test_configuration.py checks), and so do the
    # command-line and server processes the tests start.
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _nothing_kept():
    # The home page and the matter page keep what they show per person and trail head (web/kept.py); tests roll
    # the database back, so what one test kept must not be shown in the next.
    from closedstacks.web.kept import forget

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Hashed static names need `collectstatic`; pages under test only need URLs.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


# --- tiers: ./run test --quick leaves out what is marked slow or browser ------------------------------------

# Fixtures that mean a test starts processes or needs data committed for other processes to see.
SLOW_FIXTURES = {"scratch_url", "site", "demo_site"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.split(".")[-1].startswith("test_browser_"):
            item.add_marker(pytest.mark.browser)
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _quick_tests_start_no_process(request, monkeypatch):
    """A test that starts Python (the command line, a server, a racer) must be marked slow, or be a browser test,
    so that the quick tier stays quick. (Libraries may still run their helpers: ctypes asks ldconfig.)"""
    if request.node.get_closest_marker("slow") or request.node.get_closest_marker("browser"):
        return
    real = subprocess.Popen.__init__

    def checked(self, args, *rest, **kwargs):
        program = Path(str(args[0] if isinstance(args, (list, tuple)) else str(args).split()[0])).name
        if program.startswith("python") or program in {"closedstacks", Path(sys.executable).name}:
            raise AssertionError(f"{request.node.nodeid} starts {program}: mark it slow")
        real(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", checked)


def make_account(username: str, *roles: str, password: str = "correct horse battery staple"):
    user, _ = services.create_account(username=username, roles=roles, by="test", password=password,
                                      full_name=username.title(), email=f"{username}@example.org")
    return user


def sign_in(client, user, *, second_factor: bool = True):
    """Sign ``user`` in; with ``second_factor``, as if they had entered their code."""
    client.force_login(user)
    if second_factor and user.needs_mfa:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def accounts(db):
    """One account per role, plus ``admin2`` (a second administrator)."""
    made = {role: make_account(role, role) for role in ROLES}
    made["admin2"] = make_account("admin2", Role.ADMIN)
    return made


@pytest.fixture
def officer_configured(accounts):
    """The library names its responsible officer (the ``officer`` persona)."""
    from tests.procedure import set_officer

    set_officer(accounts["officer"])


@pytest.fixture
def client_for(accounts):
    from django.test import Client

    def build(role: str, *, second_factor: bool = True):
        return sign_in(Client(), accounts[role], second_factor=second_factor)

    return build


# --- running the command line against a database of its own -----------------------


def current_engine() -> str:
    return connection.vendor


def postgres_server_url() -> str:
    return os.environ.get("CLOSEDSTACKS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def scratch_url():
    """A fresh empty database of the engine under test (committed data, visible to other processes)."""
    with scratch_database(current_engine(), postgres_server_url()) as url:
        yield url


def cli_env(database_url: str, data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSEDSTACKS_")}
    env.update({
        "CLOSEDSTACKS_DATABASE_URL": database_url,
        "CLOSEDSTACKS_DATA_DIR": str(data_dir),
        "CLOSEDSTACKS_LOG_LEVEL": "WARNING",
        # The same audit key as this test process, so both can sign and verify.
        "CLOSEDSTACKS_AUDIT_SIGNING_KEY_FILE": str(Path(django_settings.DATA_DIR) / "audit_signing_key"),
        "CLOSEDSTACKS_ENCRYPTION_KEY_FILE": str(Path(django_settings.DATA_DIR) / "encryption_key"),
        **HIGH_RATES,
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def closedstacks(*args: str, env: dict, input: str | None = None, timeout: float = 120):
    """Run the ``closedstacks`` console script as an operator would."""
    return subprocess.run([str(Path(sys.executable).parent / "closedstacks"), *args], env=env,
                          capture_output=True, text=True, input=input, timeout=timeout, check=False)


DJANGO_PRELUDE = ("import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                  "'closedstacks.conf.settings'); django.setup()\n")


def python_in(code: str, *, env: dict, timeout: float = 120):
    """Run Python with Django set up against ``env``'s database."""
    done = subprocess.run([sys.executable, "-c", DJANGO_PRELUDE + code], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def race(code: str, runs: list[list[str]], *, env: dict, timeout: float = 120) -> list[str]:
    """Start one process per ``runs`` entry (its arguments) running ``code`` with Django set up, release them
    together (:func:`go_together`), and return what each printed, once each has succeeded."""
    racers = [subprocess.Popen([sys.executable, "-c", DJANGO_PRELUDE + code, *args], env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for args in runs]
    go_together(racers, timeout=timeout)
    outcomes = []
    for racer in racers:
        out, err = racer.communicate(timeout=timeout)
        assert racer.returncode == 0, err
        outcomes.append(out.strip())
    return outcomes


def go_together(processes, *, timeout: float = 120) -> None:
    """A start barrier for racing processes: wait until each has printed ``ready`` (Django started, its data
    read), then tell them all at once to go (a line on their standard input)."""
    import select
    import time

    deadline = time.monotonic() + timeout
    for process in processes:
        readable, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        line = process.stdout.readline() if readable else ""
        assert line.strip() == "ready", f"a racer did not start: {line!r} {process.stderr.read()}"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()


def run_jobs() -> int:
    """Run the queued background jobs here and now, as `closedstacks jobs work` would."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for job in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=job.pk).update(status="SUCCESSFUL")
        ran += 1
    return ran


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; the messages it received."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            import email

            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox.messages
    controller.stop()


def text(response) -> str:
    """A page's HTML with entities decoded, for looking for what a person would read."""
    import html

    return html.unescape(response.content.decode())


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
