"""A running Closed Stacks and a real browser (Debian's Chromium, driven by Playwright).

The server is `closedstacks serve` on a scratch database of the engine under
test, in demo mode so the demo accounts skip the second factor (that is
tested apart). One server serves every browser test of a run (it takes a
minute or two to set up): the first module that needs it starts it, and it
stops when the run ends. Each test makes its own matters and reports.
Screenshots go to CLOSEDSTACKS_SCREENSHOTS, or the test's temporary
directory.

The steps of the procedure, as each persona takes them on the pages, are
here too: the end-to-end tests and the user guide's pictures share them.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from closedstacks.bench.databases import scratch_database
from tests.conftest import cli_env, closedstacks, current_engine, postgres_server_url, python_in
from tests.procedure import PDF
from tests.test_server import demo_env, free_port, start, stop, wait_for

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
from closedstacks.ils import generators
from closedstacks.ils.connectors.db import ConnectionSettings
from closedstacks.ils.models import Connection
generators.get("koha")(ConnectionSettings(driver="sqlite", database=sys.argv[1]), users=60, loans=1500, seed=11)
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


def require_browser() -> None:
    """Skip without Chromium and Playwright; under CI (CI set), fail instead."""
    missing = browser_available()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


def reveal(link) -> None:
    """A link folded away (in a navigation group, under "Other actions"): open what folds it, outermost first, as a
    person would."""
    if link.is_visible():
        return
    folds = link.locator("xpath=ancestor::details[not(@open)]/summary")
    for index in range(folds.count()):
        summary = folds.nth(index)
        if summary.is_visible():
            summary.click()


@contextmanager
def serving(args: list[str], env: dict, *, ready: str = "/health/", timeout: float = 120):
    """``closedstacks <args> --bind <a free port>`` until the block ends; yields its base URL.

    Its access log (stdout) is read as it comes: a full pipe would stop the server mid-test.
    """
    port = free_port()
    server = start([*args, "--bind", f"127.0.0.1:{port}"], env)
    threading.Thread(target=server.stdout.read, daemon=True).start()
    try:
        wait_for(f"http://127.0.0.1:{port}{ready}", server, timeout=timeout)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


@contextmanager
def _served_site(engine: str, data: Path):
    with scratch_database(engine, postgres_server_url()) as url:
        env = cli_env(url, data, CLOSEDSTACKS_DEMO="true", CLOSEDSTACKS_HTTPS="false")
        assert closedstacks("migrate", env=env).returncode == 0
        LIBRARY["path"] = data / "koha.sqlite3"
        python_in(SETUP.replace("sys.argv[1]", repr(str(LIBRARY["path"]))), env=env)
        with serving(["serve", "--workers", "2"], env) as base:
            yield base


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """The demo as a library tries it: `closedstacks demo` in an empty data directory, made afresh and served —
    once per run, for every test of the demo (the guide's pictures, the accessibility checks)."""
    require_browser()
    env = demo_env(tmp_path_factory.mktemp("demo"))
    env["CLOSEDSTACKS_LOG_LEVEL"] = "WARNING"
    with serving(["demo"], env, ready="/sign-in/", timeout=900) as url:  # making the demo takes a minute or more
        yield url


# The running site, once started: {"url": ...}, or {"error": ...} if it could not start.
SITE: dict = {}


@pytest.fixture(scope="module")
def site(request, tmp_path_factory, django_db_setup, django_db_blocker):
    """The base URL of a running server with the demo accounts.

    Each test module imports this fixture, so pytest sets it up once per module: the server itself is started
    once, by the first, and stopped when the run ends.
    """
    require_browser()
    if "url" not in SITE and "error" not in SITE:
        with django_db_blocker.unblock():
            engine = current_engine()
        running = ExitStack()
        request.config.add_cleanup(running.close)
        try:
            SITE["url"] = running.enter_context(_served_site(engine, tmp_path_factory.mktemp("site")))
        except BaseException as exc:
            SITE["error"] = f"the browser tests' site did not start: {exc}"
            raise
    if "error" in SITE:
        pytest.fail(SITE["error"])
    return SITE["url"]


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


def small_png(png: bytes) -> bytes:
    """The same picture in at most 256 colours: pages are text on a few colours, and the file is much smaller."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256).save(out, format="PNG", optimize=True)
    return out.getvalue()


class Person:
    """One persona in their own browser context (their own cookies), in English whatever the machine's locale."""

    def __init__(self, chromium, site: str, username: str, shots: Path, *, viewport=(1280, 900),
                 full_page: bool = True):
        self.context = chromium.new_context(accept_downloads=True, locale="en-US",
                                            viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.site, self.username, self.shots, self.full_page = site, username, shots, full_page
        self.page.goto(f"{site}/sign-in/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f"demo-{username}-pass")
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/$"))

    def go(self, path: str) -> None:
        self.page.goto(self.site + path)

    def follow(self, name: str | re.Pattern, *, exact: bool = True) -> None:
        """Click the first link called ``name`` (opening its navigation group first, as a person would) and wait
        for the page it opens."""
        link = self.page.get_by_role("link", name=name, exact=exact if isinstance(name, str) else None,
                                     include_hidden=True).first
        reveal(link)
        link.click()
        self.page.wait_for_load_state()

    def step(self, reference: str, label: str) -> None:
        """Open a matter and follow one of its 'what you can do next' links."""
        self.go(f"/matters/{reference}/")
        self.follow(label)

    def submit(self) -> None:
        confirm = self.page.locator("main form input[name=confirm]")
        if confirm.count():
            confirm.check()  # a step that cannot be undone: read what it does, and confirm
        self.page.locator("main form button[type=submit]:not([name=save_draft])").last.click()
        self.page.wait_for_load_state()

    def state(self) -> str:
        return self.page.locator("#matter-state").inner_text()

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text()

    def text(self) -> str:
        """What the page says (its main part)."""
        return self.page.locator("main").inner_text()

    def shot(self, name: str, *, at: str | None = None, full_page: bool | None = None) -> Path:
        """A PNG of the page (``at``: scrolled so that this element is at the top)."""
        if at:
            self.page.locator(at).first.evaluate("element => element.scrollIntoView({block: 'start'})")
        path = self.shots / f"{name}.png"
        whole = self.full_page if full_page is None else full_page
        path.write_bytes(small_png(self.page.screenshot(full_page=whole)))
        return path

    def close(self) -> None:
        self.context.close()


def people(chromium, site: str, shots: Path, *usernames: str, **options) -> list[Person]:
    return [Person(chromium, site, username, shots, **options) for username in usernames]


NO_ACCESS = "You do not have access to this page"  # a page the person's roles do not include (403)
NOT_FOUND = "Not found"  # a matter they are not on, or that does not exist: the same 404


# --- Every page a person reaches, found as they would find it ------------------------------------------------

# Not pages: files, downloads, and signing out (which would end the crawl).
NOT_PAGES = re.compile(r"(\.pdf|\.csv|\.zip|\.png)$|/sign-out/|/documents/|/files/|/export")
MOST_PAGES = 60  # per person: every kind of page is reached well before this


def shape(path: str) -> str:
    """A page's kind: its path with the numbers and matter references left out (``/matters/2026-K7Q4XM/`` and
    ``/matters/2026-0007/`` are one kind of page)."""
    return re.sub(r"\d+", "N", re.sub(r"\b\d{4}-[0-9A-Z]{4,6}\b", "REF", path))


def pages_of(page, site: str, visit) -> list[str]:
    """Every kind of page the signed-in person can reach by following links from home (breadth first): two of
    each kind (two matters, two reports…), as a person would find them. ``visit(path)`` looks at each page as
    the crawl reaches it, so each is loaded once."""
    host = urlsplit(site).netloc
    seen: list[str] = []
    kinds: dict[str, int] = {}
    todo = ["/"]
    while todo and len(seen) < MOST_PAGES:
        path = todo.pop(0)
        if path in seen or kinds.get(shape(path), 0) >= 2:
            continue
        response = page.goto(site + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen.append(path)
        kinds[shape(path)] = kinds.get(shape(path), 0) + 1
        links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        visit(path)
        for href in links:
            found = urlsplit(urljoin(site + path, href))
            target = found.path + (f"?{found.query}" if found.query else "")
            if found.netloc == host and not NOT_PAGES.search(found.path) and target not in seen:
                todo.append(target)
    return seen


# --- The procedure, step by step, as each persona takes it on the pages --------------------------------------


def busiest_card() -> str:
    """The card of the site's library system user with the most past loans (a production with records)."""
    with sqlite3.connect(LIBRARY["path"]) as db:
        return db.execute("SELECT p.cardnumber FROM old_issues x JOIN borrowers p ON p.borrowernumber = "
                          "x.borrowernumber GROUP BY p.cardnumber ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]


def fill_inquiry(desk: Person, tmp_path: Path, *, asked: str = "Who borrowed the chemistry book last spring?",
                 name: str = "Det. Casey Smith") -> None:
    """The desk's form, filled in as a visitor with a subpoena would have it (not sent)."""
    desk.go("/inquiries/new/")
    desk.page.fill("#id_requester_name", name)
    desk.page.fill("#id_requester_agency", "Example Police Department")
    desk.page.fill("#id_requester_id", "4471")
    desk.page.check("input[name=channel][value=in_person]")
    desk.page.fill("#id_request_text", asked)
    desk.page.check("#id_document_presented")
    scan = tmp_path / "subpoena.pdf"
    scan.write_bytes(PDF)
    desk.page.set_input_files("#id_document", str(scan))


def log_at_desk(desk: Person, tmp_path: Path, **inquiry) -> str:
    """Log an inquiry at the desk; the receipt's reference."""
    fill_inquiry(desk, tmp_path, **inquiry)
    desk.submit()
    reference = re.search(r"\d{4}-[0-9A-Z]{6}", desk.heading()).group(0)
    assert "Only the library director or the library's legal counsel may respond" in desk.page.content()
    return reference


def explain_policy(officer: Person, reference: str) -> None:
    officer.step(reference, "Record that the policy was explained")
    officer.submit()
    assert officer.state() == "Policy explained"


def fill_instrument(person: Person, *, case: str, card: str, dates: tuple[str, str] | None = None) -> None:
    """The instrument's form (attach, or cure): a subpoena duces tecum for one card's past loans."""
    page = person.page
    page.select_option("#id_type", "subpoena_duces_tecum")
    page.fill("#id_issuing_authority", "Superior Court of Example County")
    page.fill("#id_case_number", case)
    page.check("input[name=record_kinds][value=past_loans]")
    if dates:
        page.fill("#id_date_from", dates[0])
        page.fill("#id_date_to", dates[1])
    page.select_option("#id_designated-0-identifier_type", "card")
    page.fill("#id_designated-0-value", card)


def attach_instrument(person: Person, reference: str, *, case: str, card: str = "21000000123",
                      dates: tuple[str, str] = ("2025-01-01", "2025-12-31")) -> None:
    person.step(reference, "Attach the instrument")
    fill_instrument(person, case=case, card=card, dates=dates)
    person.submit()
    assert person.state() == "Instrument received"


def choose(person: Person, reference: str, move: str, field: str, label: str) -> None:
    """A move that names a person (counsel, the custodian): choose them and make it."""
    person.step(reference, move)
    person.page.select_option(field, label=label)
    person.submit()


def assign_counsel(director: Person, reference: str) -> None:
    choose(director, reference, "Assign counsel", "#id_counsel", "Carmen Counsel")


def assign_custodian(director: Person, reference: str) -> None:
    choose(director, reference, "Assign the records custodian", "#id_custodian", "Curtis Custodian")


def answer_yes(counsel: Person) -> None:
    """Every item of counsel's checklist answered yes (and, afterwards, 'done properly')."""
    for radio in counsel.page.locator("input[type=radio][value=yes]").all():
        radio.check()


def determine(counsel: Person, reference: str, determination: str, *, defects: str = "", send: bool = True) -> None:
    counsel.step(reference, "Record counsel's determination")
    page = counsel.page
    answer_yes(counsel)
    page.check(f"input[name=determination][value={determination}]")
    page.fill("#id_reasons", "Reviewed for form and good cause.")
    if defects:
        page.fill("#id_defects", defects)
        page.fill("#id_cure_deadline", "2099-01-15")
    if send:
        counsel.submit()


def propose_scope(director: Person, reference: str) -> None:
    """The first designated user, their past loans, in the instrument's dates."""
    director.step(reference, "Propose the scope")
    director.page.locator("input[name=users]").first.check()
    director.page.check("input[name=record_kinds][value=past_loans]")
    director.submit()
    assert director.state() == "Scope awaiting approval"


def verify_requester(officer: Person, reference: str, *, agency: str = "Example Police Department") -> None:
    """The officer finds the agency in the directory (adding it, from its own website, if it is not there yet),
    calls it back on the directory's number, and records that the request was confirmed."""
    officer.go("/library/directory/")
    if agency not in officer.text():
        officer.follow("Add an agency or court")
        officer.page.select_option("#id_kind", "agency")
        officer.page.fill("#id_name", agency)
        officer.page.fill("#id_phone", "(555) 010-3000")
        officer.page.fill("#id_email_domains", "police.example.gov")
        officer.page.fill("#id_source", "The department's own website, under Contact")
        officer.submit()
        assert agency in officer.text()
    officer.go(f"/matters/{reference}/")
    form = officer.page.locator("form.verify-form")
    reveal(form)
    form.locator("#verify-method").select_option("call_back")
    form.locator("#verify-authority").select_option(label=agency)
    form.locator("input[name=confirmed][value=yes]").check()
    form.locator("#verify-person_reached").fill("Records unit, Sgt. Ruiz")
    form.get_by_role("button", name="Record the verification").click()
    officer.page.wait_for_load_state()
    section = officer.page.locator("section[aria-labelledby=verification-heading]").inner_text()
    assert "(555) 010-3000" in section and "confirmed" in section, section


def approve_scope(approver: Person, reference: str) -> None:
    approver.step(reference, "Approve the scope")
    approver.submit()


def compile_production(custodian: Person, reference: str) -> None:
    custodian.step(reference, "Compile the production")
    custodian.submit()
    assert custodian.state() == "Production compiled: counsel to review"


def open_compiled(person: Person, reference: str, number: int = 1, *, seconds: int = 90) -> None:
    """Open a production once the job worker beside the server has compiled it."""
    for _ in range(seconds):
        person.go(f"/matters/{reference}/productions/{number}/")
        if "The manifest" in person.page.content() and "past_loans.csv" in person.page.content():
            return
        time.sleep(1)
    raise AssertionError(f"production {number} of {reference} was not compiled within {seconds}s")


def approve_production(counsel: Person) -> None:
    """From the production's review page: approve it, having checked the manifest against the scope."""
    counsel.follow("Approve the production")
    counsel.page.check("#id_checked")
    counsel.submit()
    assert counsel.state() == "Production approved: ready to release"


def fill_release(person: Person, reference: str, recipient: str) -> None:
    person.step(reference, "Record the release")
    person.page.fill("#id_recipient", recipient)
    person.page.check("input[name=method][value=in_person]")


# --- Reports to the officer ------------------------------------------------------------------------------------


def fill_report(person: Person, kind: str, *, what: str, place: str = "", who: str = "", disclosed: str = "no",
                disclosed_what: str = "", witnesses: str = "") -> None:
    """'Report a problem' from the header of the page the person is on, filled in (not sent)."""
    person.follow("Report a problem")
    page = person.page
    page.check(f"input[name=kind][value={kind}]")
    page.fill("#id_place", place)
    page.fill("#id_who", who)
    page.fill("#id_what", what)
    page.check(f"input[name=disclosed][value={disclosed}]")
    page.fill("#id_disclosed_what", disclosed_what)
    page.fill("#id_witnesses", witnesses)


def receipt_number(person: Person) -> str:
    """The report's number, from the receipt the reporter sees once it is sent."""
    heading = person.heading()
    assert "your receipt" in heading, heading
    return re.search(r"Report (\d+)", heading).group(1)


def open_step(person: Person, summary: str) -> None:
    """Open one of the officer's steps on a report (each is a <details> with its form)."""
    person.page.locator("summary", has_text=summary).click()


def submit_step(person: Person) -> None:
    person.page.locator("details[open] form button[type=submit]").first.click()
    person.page.wait_for_load_state()
