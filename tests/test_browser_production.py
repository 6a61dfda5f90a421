"""A subpoena's production in a real browser: compiled by the custodian, reviewed by counsel beside its scope,
released once and downloaded — with the job worker that `closedstacks serve` runs compiling it."""

from __future__ import annotations

import sqlite3
import time

from tests.browser import LIBRARY, Person, chromium, shots, site  # noqa: F401  (fixtures)
from tests.test_browser_procedure import determine, log_at_desk


def busiest_card() -> str:
    with sqlite3.connect(LIBRARY["path"]) as db:
        return db.execute("SELECT p.cardnumber FROM old_issues x JOIN borrowers p ON p.borrowernumber = "
                          "x.borrowernumber GROUP BY p.cardnumber ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]


def test_a_production_compiled_reviewed_and_released(chromium, site, shots, tmp_path):  # noqa: F811
    desk, officer, director, counsel, custodian = (
        Person(chromium, site, name, shots) for name in ("desk", "officer", "director", "counsel", "custodian"))
    reference = log_at_desk(desk, tmp_path)
    officer.step(reference, "Record that the policy was explained")
    officer.submit()
    director.step(reference, "Attach the instrument")
    page = director.page
    page.select_option("#id_type", "subpoena_duces_tecum")
    page.fill("#id_issuing_authority", "Superior Court of Example County")
    page.fill("#id_case_number", "CR-2026-300")
    page.check("input[name=record_kinds][value=past_loans]")
    page.fill("#id_date_from", "2015-01-01")
    page.fill("#id_date_to", "2026-12-31")
    page.select_option("#id_designated-0-identifier_type", "card")
    page.fill("#id_designated-0-value", busiest_card())
    director.submit()
    director.step(reference, "Assign counsel")
    director.page.select_option("#id_counsel", label="Carmen Counsel")
    director.submit()
    determine(counsel, reference, "sufficient")
    director.step(reference, "Propose the scope")
    director.page.locator("input[name=users]").first.check()
    director.page.check("input[name=record_kinds][value=past_loans]")
    director.submit()
    for person in (director, counsel):
        person.step(reference, "Approve the scope")
        person.submit()
    director.step(reference, "Assign the records custodian")
    director.page.select_option("#id_custodian", label="Curtis Custodian")
    director.submit()

    custodian.step(reference, "Compile the production")
    custodian.submit()
    assert custodian.state() == "Production compiled: counsel to review"

    # The job worker beside the server compiles it; counsel reviews the scope and the manifest side by side.
    for _ in range(60):
        counsel.go(f"/matters/{reference}/productions/1/")
        if "The manifest" in counsel.page.content() and "past_loans.csv" in counsel.page.content():
            break
        time.sleep(1)
    content = counsel.page.content()
    assert "The approved scope" in content and f"CS-{reference}-000001" in content
    counsel.shot("10-production-review")
    with counsel.page.expect_download() as download:
        counsel.page.get_by_role("link", name=f"CS-{reference}-past_loans.csv").click()
    assert open(download.value.path(), encoding="utf-8").readline().startswith("bates,user,card,loan")
    counsel.page.get_by_role("link", name="Approve the production").click()
    counsel.page.check("#id_checked")
    counsel.submit()
    assert counsel.state() == "Production approved: ready to release"

    custodian.step(reference, "Record the release")
    custodian.page.fill("#id_recipient", "Clerk, Courtroom 4")
    custodian.page.check("input[name=method][value=in_person]")
    custodian.submit()
    assert custodian.state() == "Released: to be closed"
    officer.step(reference, "Close the matter")
    officer.page.check("input[name=outcome][value=released_full]")
    officer.submit()
    assert officer.state() == "Closed"
    officer.go(f"/matters/{reference}/productions/1/")
    assert "Clerk, Courtroom 4" in officer.page.content()
    officer.shot("11-production-released")
    for person in (desk, officer, director, counsel, custodian):
        person.close()
