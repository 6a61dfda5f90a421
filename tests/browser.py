"""A running Closed Stacks and a real browser (Debian's Chromium, driven by Playwright).

The server is `closedstacks serve` on a scratch database of the engine under
test, in demo mode so the demo accounts skip the second factor (that is
tested apart). Screenshots go to CLOSEDSTACKS_SCREENSHOTS, or the test's
temporary directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from closedstacks.bench.databases import scratch_database
from tests.conftest import cli_env, closedstacks, current_engine, postgres_server_url, python_in
from tests.test_server import free_port, start, stop, wait_for

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

SETUP = """
from closedstacks.demo.accounts import ensure_demo_accounts
from closedstacks.library.models import Contact, LibraryProfile
from closedstacks.accounts.models import User
ensure_demo_accounts(by="cli:test")
profile = LibraryProfile.current()
profile.responsible_officer = User.objects.get(username="officer")
profile.save()
Contact.objects.create(kind="officer", name="Olive Officer", office_phone="555-0111", after_hours_phone="555-0199")
# A small Koha-shaped library system, connected, for the productions.
from closedstacks.records.connectors import package
from closedstacks.records.connectors.db import ConnectionSettings
from closedstacks.records.models import Connection
package("koha").generate(ConnectionSettings(driver="sqlite", database=sys.argv[1]), users=60, loans=1500, seed=11)
Connection.objects.create(name="koha", connector="koha", driver="sqlite", database=sys.argv[1])
"""
# Where the site's library system is, for tests that need one of its card numbers.
LIBRARY: dict = {}


def browser_available() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (./run test installs Debian's chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_setup, django_db_blocker):
    """The base URL of a running server with the demo accounts."""
    missing = browser_available()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    with django_db_blocker.unblock():
        engine = current_engine()
    data = tmp_path_factory.mktemp("site")
    with scratch_database(engine, postgres_server_url()) as url:
        env = cli_env(url, data, CLOSEDSTACKS_DEMO="true", CLOSEDSTACKS_HTTPS="false")
        assert closedstacks("migrate", env=env).returncode == 0
        LIBRARY["path"] = data / "koha.sqlite3"
        python_in(SETUP.replace("sys.argv[1]", repr(str(LIBRARY["path"]))), env=env)
        port = free_port()
        server = start(["serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"], env)
        try:
            wait_for(f"http://127.0.0.1:{port}/health/", server)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(server)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("CLOSEDSTACKS_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Person:
    """One persona in their own browser context (their own cookies)."""

    def __init__(self, chromium, site: str, username: str, shots: Path):
        self.context = chromium.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.site, self.username, self.shots = site, username, shots
        self.page.goto(f"{site}/sign-in/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f"demo-{username}-pass")
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/$"))

    def go(self, path: str) -> None:
        self.page.goto(self.site + path)

    def step(self, reference: str, label: str) -> None:
        """Open a matter and follow one of its 'what you can do next' links."""
        self.go(f"/matters/{reference}/")
        self.page.get_by_role("link", name=label, exact=True).click()

    def submit(self) -> None:
        self.page.locator("main form button[type=submit]").last.click()
        self.page.wait_for_load_state()

    def state(self) -> str:
        return self.page.locator("#matter-state").inner_text()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
