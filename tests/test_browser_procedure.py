"""A subpoena from the desk to an approved scope, and a defective one through its cure, in a real browser."""

from __future__ import annotations

import re

from tests.browser import Person, chromium, shots, site  # noqa: F401  (fixtures)
from tests.procedure import PDF


def log_at_desk(desk: Person, tmp_path) -> str:
    desk.go("/inquiries/new/")
    desk.page.fill("#id_requester_name", "Det. Casey Smith")
    desk.page.fill("#id_requester_agency", "Example Police Department")
    desk.page.fill("#id_requester_id", "4471")
    desk.page.check("input[name=channel][value=in_person]")
    desk.page.fill("#id_request_text", "Who borrowed the chemistry book last spring?")
    scan = tmp_path / "subpoena.pdf"
    scan.write_bytes(PDF)
    desk.page.set_input_files("#id_document", str(scan))
    desk.submit()
    heading = desk.page.locator("h1").inner_text()
    reference = re.search(r"\d{4}-\d{4}", heading).group(0)
    assert "Only the library director or the library's legal counsel may respond" in desk.page.content()
    assert "555-0199" in desk.page.content()
    return reference


def explain_and_attach(officer: Person, director: Person, reference: str, *, case: str) -> None:
    officer.step(reference, "Record that the policy was explained")
    officer.submit()
    assert officer.state() == "Policy explained"
    director.step(reference, "Attach the instrument")
    page = director.page
    page.select_option("#id_type", "subpoena_duces_tecum")
    page.fill("#id_issuing_authority", "Superior Court of Example County")
    page.fill("#id_case_number", case)
    page.check("input[name=record_kinds][value=past_loans]")
    page.fill("#id_date_from", "2025-01-01")
    page.fill("#id_date_to", "2025-12-31")
    page.select_option("#id_designated-0-identifier_type", "card")
    page.fill("#id_designated-0-value", "21000000123")
    director.submit()
    assert director.state() == "Instrument received"


def determine(counsel: Person, reference: str, determination: str, *, defects: str = "") -> None:
    counsel.step(reference, "Record counsel's determination")
    page = counsel.page
    for radio in page.locator("input[type=radio][value=yes]").all():
        radio.check()
    page.check(f"input[name=determination][value={determination}]")
    page.fill("#id_reasons", "Reviewed for form and good cause.")
    if defects:
        page.fill("#id_defects", defects)
        page.fill("#id_cure_deadline", "2099-01-15")
    counsel.submit()


def test_a_subpoena_from_the_desk_to_an_approved_scope(chromium, site, shots, tmp_path):  # noqa: F811
    desk, officer, director, counsel = (Person(chromium, site, name, shots)
                                        for name in ("desk", "officer", "director", "counsel"))
    reference = log_at_desk(desk, tmp_path)
    desk.shot("01-desk-receipt")
    desk.go(f"/matters/{reference}/")
    assert desk.page.locator("h1").inner_text() == "You do not have access to this page"

    officer.go("/notices/")
    assert f"New inquiry {reference} referred to you" in officer.page.content()
    explain_and_attach(officer, director, reference, case="CR-2026-118")

    director.step(reference, "Assign counsel")
    director.page.select_option("#id_counsel", label="Carmen Counsel")
    director.submit()
    assert director.state() == "With counsel"

    determine(counsel, reference, "sufficient")
    assert counsel.state() == "Sufficient: scope to define"

    director.step(reference, "Propose the scope")
    director.page.locator("input[name=users]").first.check()
    director.page.check("input[name=record_kinds][value=past_loans]")
    director.page.fill("#id_date_from", "2025-03-01")
    director.page.fill("#id_date_to", "2025-06-30")
    director.submit()
    assert director.state() == "Scope awaiting approval"

    director.step(reference, "Approve the scope")
    director.submit()
    assert director.state() == "Scope awaiting approval"
    assert "Approve the scope" not in director.page.locator(".next-steps").inner_text()

    counsel.step(reference, "Approve the scope")
    counsel.submit()
    assert counsel.state() == "Scope approved: production may begin"
    counsel.shot("02-scope-approved")
    assert 'aria-current="step"' in counsel.page.content()
    for person in (desk, officer, director, counsel):
        person.close()


def test_a_defective_subpoena_through_its_cure(chromium, site, shots, tmp_path):  # noqa: F811
    desk, officer, director, counsel = (Person(chromium, site, name, shots)
                                        for name in ("desk", "officer", "director", "counsel"))
    reference = log_at_desk(desk, tmp_path)
    explain_and_attach(officer, director, reference, case="CR-2026-200")
    director.step(reference, "Assign counsel")
    director.page.select_option("#id_counsel", label="Carmen Counsel")
    director.submit()

    determine(counsel, reference, "defective", defects="No clerk's signature\nReturnable to the police")
    assert counsel.state() == "Defective: awaiting cure"
    counsel.shot("03-defective")

    director.go(f"/matters/{reference}/")
    assert "Propose the scope" not in director.page.content()
    with director.page.expect_download() as download:
        director.page.get_by_role("link", name="Letter listing the defects (PDF)").click()
    assert download.value.suggested_filename == f"matter-{reference}-defects.pdf"
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")

    director.step(reference, "Attach the cured or amended instrument")
    page = director.page
    page.select_option("#id_type", "subpoena_duces_tecum")
    page.fill("#id_issuing_authority", "Superior Court of Example County")
    page.fill("#id_case_number", "CR-2026-200-A")
    page.check("input[name=record_kinds][value=past_loans]")
    page.fill("#id_designated-0-value", "21000000123")
    director.submit()
    assert director.state() == "With counsel"

    determine(counsel, reference, "sufficient")
    assert counsel.state() == "Sufficient: scope to define"
    assert "superseded" in counsel.page.content()
    for person in (desk, officer, director, counsel):
        person.close()
