"""The user guide's pictures, taken from the running demo (`closedstacks demo`, lived in: matters at every step),
role by role, with what each role must and must not see there checked on the way.

    CLOSEDSTACKS_GUIDE_SCREENSHOTS=docs/guide/img .venv/bin/python -m pytest tests/test_browser_guide.py

refreshes docs/guide/img/; without that variable the pictures go to a temporary directory. One test per guide
(docs/guide/<role>.md), in the order of the procedure. Each works from what the demo makes, and changes only the
matters its own role acts on: the desk logs a new inquiry, the officer explains the policy on the one just
referred, counsel determines the subpoena awaiting review and approves the production awaiting review, and the
custodian's test takes the scope awaiting approval to its release (the director and counsel approving it first).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from closedstacks.audit import words
from tests.browser import (  # noqa: F401  (chromium: a fixture)
    NO_ACCESS,
    NOT_FOUND,
    Person,
    approve_production,
    approve_scope,
    assign_custodian,
    chromium,
    demo_site,
    determine,
    fill_inquiry,
    fill_release,
    fill_report,
    open_compiled,
    open_step,
    receipt_number,
    require_browser,
    serving,
    small_png,
    submit_step,
)

PICTURES = "CLOSEDSTACKS_GUIDE_SCREENSHOTS"
VIEWPORT = (1280, 800)

# The demo is SQLite only: these run in the SQLite pass of ``./run test``, not again in the PostgreSQL pass.
pytestmark = pytest.mark.demo


@pytest.fixture(scope="module")
def pictures(tmp_path_factory) -> Path:
    folder = Path(os.environ.get(PICTURES) or tmp_path_factory.mktemp("guide-img"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def sign_in(chromium, demo_site, pictures):  # noqa: F811
    """sign_in(username): that demo account, signed in, taking the guide's pictures."""
    signed: list[Person] = []

    def open_as(username: str) -> Person:
        signed.append(Person(chromium, demo_site, username, pictures, viewport=VIEWPORT, full_page=False))
        return signed[-1]

    yield open_as
    for person in signed:
        person.close()


def matter_at(person: Person, state: str, *, says: str = "") -> str:
    """An open matter at ``state`` that ``person`` may see (whose page ``says`` that), opened; its reference."""
    person.go(f"/matters/queue/open/?state={state}")
    for reference in person.page.locator("main tbody a").all_inner_texts():
        person.go(f"/matters/{reference}/")
        if says in person.text():
            return reference
    raise AssertionError(f"{person.username} sees no open matter at {state}" + (f" saying {says!r}" if says else ""))


def next_steps(person: Person) -> list[str]:
    """The steps offered on a matter page: the main one first, then the others (folded under "Other actions")."""
    return [text.strip() for text in person.page.locator(".next-steps a").all_text_contents()]


def test_the_sign_in_page(chromium, demo_site, pictures):  # noqa: F811
    context = chromium.new_context(locale="en-US", viewport={"width": VIEWPORT[0], "height": VIEWPORT[1]})
    page = context.new_page()
    page.goto(f"{demo_site}/sign-in/")
    assert "DEMO" in page.content() and "demo-officer-pass" in page.content()
    (pictures / "sign-in.png").write_bytes(small_png(page.screenshot()))
    context.close()


def test_desk_staff(sign_in, tmp_path):
    desk = sign_in("desk")
    assert "A tour of the demo library" in desk.text() and "Your roles: Staff." in desk.text()
    desk.shot("desk-home")

    fill_inquiry(desk, tmp_path, name="Det. Sam Rivera",
                 asked="Who checked out books on lock-picking from this branch in May? Showed a subpoena.")
    desk.shot("desk-log-inquiry", full_page=True)
    desk.submit()
    reference = re.search(r"\d{4}-[0-9A-Z]{6}", desk.heading()).group(0)
    receipt = desk.text()
    assert desk.heading() == f"Inquiry {reference} is logged" and "The responsible officer has been told" in receipt
    assert "What to say now" in receipt and "Oscar Officer" in receipt
    desk.shot("desk-receipt")
    desk.go(f"/matters/{reference}/")  # logged, referred, and no more of it for the desk
    assert desk.heading() == NO_ACCESS
    desk.shot("desk-no-access")

    desk.go("/")
    fill_report(desk, "threat", place="Main desk", who="The same man, back an hour later",
                what="Said he would wait outside for the librarian who refused him.", witnesses="Sam, volunteer")
    desk.shot("desk-report", full_page=True)
    desk.submit()
    number = receipt_number(desk)
    assert "New: waiting for the officer" in desk.text()
    desk.shot("desk-report-receipt")
    desk.go("/reports/mine/")
    assert f"Report {number}" in desk.text()
    desk.shot("desk-my-reports")

    desk.go("/training/")
    assert "Overdue" in desk.text()
    desk.shot("desk-training")
    for path in ("/matters/", "/reports/", "/audit/", "/accounts/"):
        desk.go(path)
        assert desk.heading() == NO_ACCESS, path


def test_officer(sign_in):
    officer = sign_in("officer")
    officer.shot("officer-home", at=".panels")
    referred = matter_at(officer, "referred", says="explosives")  # logged at the desk as threatening
    assert officer.state() == "Referred to the officer"
    assert {"Record that the policy was explained", "Record a search warrant executed",
            "Refer a threat or unauthorized demand"} <= set(next_steps(officer))
    officer.shot("officer-matter-referred")
    officer.step(referred, "Record that the policy was explained")
    officer.shot("officer-explain")
    officer.submit()
    assert officer.state() == "Policy explained"
    assert {"Decline: no instrument", "Attach the instrument"} <= set(next_steps(officer))
    officer.shot("officer-explained")
    officer.step(referred, "Attach the instrument")
    officer.shot("officer-attach-instrument")
    officer.step(referred, "Record a search warrant executed")
    officer.shot("officer-record-warrant")
    matter_at(officer, "warrant_executed")
    assert "Search warrant executed" in officer.page.locator("#warrant-heading").inner_text()
    officer.shot("officer-warrant", at="section[aria-labelledby=warrant-heading]")

    officer.go("/matters/queue/open/")
    officer.shot("officer-matters")
    officer.go("/matters/deadlines/")
    officer.shot("officer-deadlines")
    officer.go("/holds/")
    assert "Legal holds in force" in officer.heading()
    officer.shot("officer-holds")

    # The threat reported with that inquiry: triaged on the Reports desk.
    officer.go("/reports/?show=all")
    officer.shot("officer-reports")
    row = officer.page.locator("main tbody tr", has_text=referred)
    report = row.get_by_role("link", name=re.compile(r"Report \d+")).inner_text()
    officer.follow(report)
    assert "New: waiting for the officer" in officer.page.locator("dl.facts").inner_text()
    open_step(officer, "Triage: kind, severity, due date")
    officer.page.check("input[name=severity][value=high]")
    officer.shot("officer-report-triage")
    submit_step(officer)
    assert "In hand" in officer.page.locator("dl.facts").inner_text()

    officer.go("/retention/")
    assert officer.page.get_by_role("button", name="Run retention now").is_visible()
    officer.shot("officer-retention")
    officer.shot("officer-retention-chart", at="section[aria-labelledby^=census-]")
    officer.go("/retention/privacy-audit/")
    assert "Privacy audit of the library system" in officer.heading() and "never a user" in officer.text()
    officer.shot("officer-privacy-audit")
    officer.go("/training/compliance/")
    officer.shot("officer-compliance")
    officer.go("/transparency/")
    officer.follow(re.compile(r"^\d{4}$"))
    assert "Draft" in officer.text() and officer.page.locator("main form").count() > 0  # the narrative, publishing
    officer.shot("officer-transparency")


def test_director(sign_in):
    director = sign_in("director")
    director.go("/matters/")
    waiting = director.text()
    for state in ("Defective: awaiting cure", "Scope awaiting approval", "Search warrant executed: counsel to review",
                  "Emergency request: director to decide"):
        assert state in waiting
    director.shot("director-matters")

    defective = matter_at(director, "defective")
    assert "Propose the scope" not in next_steps(director)  # nothing is scoped until the defects are cured
    assert "Attach the cured or amended instrument" in next_steps(director)
    assert "Letter listing the defects (PDF)" in director.text()
    director.shot("director-defective")
    director.shot("director-defects", at=".review")
    director.step(defective, "Attach the cured or amended instrument")
    director.shot("director-cure")

    matter_at(director, "in_review", says="Nondisclosure order in force")
    assert "Only the people named on this matter can see that it exists" in director.text()
    director.shot("director-nondisclosure")
    matter_at(director, "scope_proposed")
    assert "Approve the scope" in next_steps(director)
    director.shot("director-scope", at="section[aria-labelledby^=scope-]")
    warrant = matter_at(director, "warrant_executed")
    director.step(warrant, "Assign counsel")
    director.shot("director-assign-counsel")
    emergency = matter_at(director, "emergency_pending")
    director.step(emergency, "Decide the emergency request")
    director.shot("director-emergency")

    director.go("/dashboard/")
    for tile in ("Open matters by state", "Waiting at a gate", "Deadlines", "Training compliance"):
        assert tile in director.text()
    director.shot("director-dashboard")
    director.shot("director-dashboard-more", at=".tiles > .tile:nth-child(4)")
    director.go("/transparency/")
    director.follow(re.compile(r"^\d{4}$"))
    assert "National security letters (reported only in bands)" in director.text()
    assert director.page.locator("main form").count() == 0  # the officer writes and publishes it
    director.shot("director-transparency")


def test_counsel(sign_in):
    counsel = sign_in("counsel")
    counsel.go("/matters/")
    counsel.shot("counsel-matters")

    subpoena = matter_at(counsel, "in_review", says="fraud case")
    determine(counsel, subpoena, "sufficient", send=False)
    counsel.shot("counsel-determine")
    counsel.shot("counsel-checklist", at="main form .field:has(input[value=na])")
    counsel.submit()
    assert counsel.state() == "Sufficient: scope to define"
    counsel.shot("counsel-sufficient", at=".review")

    produced = matter_at(counsel, "production_review")
    open_compiled(counsel, produced)
    for part in ("The approved scope", "The manifest", "Checked against the scope"):
        assert part in counsel.text()
    counsel.shot("counsel-production-review", full_page=True)
    counsel.follow("Approve the production")
    counsel.shot("counsel-approve-production")
    counsel.go(f"/matters/{produced}/productions/1/")
    approve_production(counsel)
    counsel.shot("counsel-production-approved")

    counsel.go("/checklists/")
    counsel.shot("counsel-checklists")
    # A matter counsel is not named on does not exist for them: the warrant counsel has not been assigned to yet.
    officer = sign_in("officer")
    warrant = matter_at(officer, "warrant_executed")
    counsel.go(f"/matters/{warrant}/")
    assert counsel.heading() == NOT_FOUND


def test_custodian(sign_in):
    director, counsel, custodian = sign_in("director"), sign_in("counsel"), sign_in("custodian")
    scoped = matter_at(director, "scope_proposed")
    approve_scope(director, scoped)
    approve_scope(counsel, scoped)
    assign_custodian(director, scoped)

    custodian.go("/matters/")
    assert scoped in custodian.text() and "Scope approved: production may begin" in custodian.text()
    custodian.shot("custodian-matters")
    custodian.go(f"/matters/{scoped}/")
    assert next_steps(custodian)[0] == "Compile the production"
    custodian.shot("custodian-matter")
    custodian.step(scoped, "Compile the production")
    custodian.shot("custodian-compile")
    custodian.submit()
    assert custodian.state() == "Production compiled: counsel to review"
    open_compiled(custodian, scoped)
    custodian.shot("custodian-production", full_page=True)

    open_compiled(counsel, scoped)
    approve_production(counsel)
    fill_release(custodian, scoped, "Clerk of the Circuit Court, Courtroom 4B")
    custodian.shot("custodian-release")
    custodian.submit()
    assert custodian.state() == "Released: to be closed"
    custodian.shot("custodian-released")

    gagged = matter_at(director, "in_review", says="Nondisclosure order in force")
    custodian.go(f"/matters/{gagged}/")  # under a nondisclosure order, and the custodian is not named on it
    assert custodian.heading() == NOT_FOUND
    custodian.shot("custodian-not-found")
    custodian.go("/holds/")
    custodian.shot("custodian-holds")


def test_auditor(sign_in):
    auditor = sign_in("auditor")
    auditor.shot("auditor-home", at=".panels")
    auditor.go("/audit/")
    assert "Intact" in auditor.page.locator("#verification-status").inner_text()
    auditor.page.get_by_role("button", name="Verify now").click()
    running = auditor.page.get_by_text("A verification is queued or running")
    running.wait_for()
    running.wait_for(state="hidden", timeout=120_000)  # the page follows the job worker by itself
    assert "Intact" in auditor.page.locator("#verification-status").inner_text()
    auditor.shot("auditor-trail")
    auditor.page.select_option("#id_action", "matter.")
    auditor.page.get_by_role("button", name="Filter").click()
    auditor.page.wait_for_url(re.compile(r"action=matter\."))
    actions = auditor.page.locator("#results tbody td:nth-child(4)").all_inner_texts()
    steps = {words.label(code) for code in words.LABELS if code.startswith("matter.")}
    assert actions and set(actions) <= steps
    auditor.shot("auditor-filtered")
    auditor.go("/retention/")
    assert auditor.page.get_by_role("button", name="Run retention now").count() == 0  # reads, changes nothing
    auditor.go("/transparency/")
    assert "Transparency reports" in auditor.heading()
    for path in ("/matters/", "/reports/", "/accounts/"):
        auditor.go(path)
        assert auditor.heading() == NO_ACCESS, path


def test_administrator(sign_in):
    admin = sign_in("admin")
    admin.shot("admin-home")
    admin.go("/accounts/")
    admin.shot("admin-accounts")
    admin.follow("officer")
    assert admin.heading() == "Account officer"
    admin.shot("admin-account")
    admin.go("/accounts/new/")
    admin.shot("admin-new-account")
    admin.go("/library/")
    admin.shot("admin-library")
    admin.go("/connections/")
    assert "demo-koha" in admin.text() and "Koha" in admin.text()
    admin.shot("admin-connections")
    admin.follow("demo-koha")
    assert admin.page.get_by_role("button", name="Test connection").is_visible()
    admin.shot("admin-connection")
    admin.go("/library/contacts/")
    admin.shot("admin-contacts")
    admin.go("/library/branches/")
    admin.shot("admin-branches")
    # An administrator reads no matter and no report, and not the audit trail.
    officer = sign_in("officer")
    referred = matter_at(officer, "in_review")
    for path in ("/matters/", f"/matters/{referred}/", "/reports/", "/audit/", "/dashboard/"):
        admin.go(path)
        assert admin.heading() == NO_ACCESS, path
    admin.shot("admin-no-access")


def test_administrator_tests_the_connection(sign_in):
    admin = sign_in("admin")
    admin.go("/connections/")
    admin.follow("demo-koha")
    admin.page.get_by_role("button", name="Test connection").click()
    admin.page.wait_for_load_state()
    assert "The connection works." in admin.text() and "old_issues" in admin.text()
