"""The procedure in a real browser, each step taken by the persona whose step it is: one subpoena from the desk to
its release (the production compiled by the job worker `closedstacks serve` runs), a search warrant recorded and
reviewed afterwards, and a defective subpoena through its cure."""

from __future__ import annotations

from tests.browser import (  # noqa: F401  (chromium, shots, site: fixtures)
    NO_ACCESS,
    answer_yes,
    approve_production,
    approve_scope,
    assign_counsel,
    assign_custodian,
    attach_instrument,
    busiest_card,
    chromium,
    compile_production,
    determine,
    explain_policy,
    fill_instrument,
    fill_release,
    log_at_desk,
    open_compiled,
    people,
    propose_scope,
    shots,
    site,
    verify_requester,
)


def test_a_subpoena_from_the_desk_to_its_release(chromium, site, shots, tmp_path):  # noqa: F811
    desk, officer, director, counsel, custodian = people(chromium, site, shots, "desk", "officer", "director",
                                                         "counsel", "custodian")
    # The desk logs it, gives the referral script, and sees no more of it.
    reference = log_at_desk(desk, tmp_path)
    assert "555-0199" in desk.page.content()  # the officer's after-hours number, to call now
    desk.shot("subpoena-01-desk-receipt")
    desk.go(f"/matters/{reference}/")
    assert desk.heading() == NO_ACCESS

    # The officer is told, explains the policy and attaches the subpoena; the director assigns counsel.
    officer.go("/notices/")
    assert f"New inquiry {reference} referred to you" in officer.page.content()
    explain_policy(officer, reference)
    attach_instrument(officer, reference, case="CR-2026-118", card=busiest_card(), dates=("2015-01-01", "2026-12-31"))
    assert "Legal holds" in officer.page.content()  # placed when the instrument arrived
    officer.shot("subpoena-02-instrument-received")
    assign_counsel(director, reference)
    assert director.state() == "With counsel"

    # Counsel finds it sufficient; the director proposes the scope; the director and counsel approve it.
    determine(counsel, reference, "sufficient")
    assert counsel.state() == "Sufficient: scope to define"
    counsel.shot("subpoena-03-sufficient")
    propose_scope(director, reference)
    # Nothing is approved on a request nobody confirmed: the officer calls the agency back on the directory's
    # number (never the one on the paper).
    director.go(f"/matters/{reference}/")
    assert director.page.locator("#main-move").inner_text() == "Verify the requester through the directory"
    verify_requester(officer, reference)
    officer.shot("subpoena-035-requester-verified")
    approve_scope(director, reference)
    assert director.state() == "Scope awaiting approval"
    assert "Approve the scope" not in director.page.locator(".next-steps").inner_text()  # not twice by one person
    approve_scope(counsel, reference)
    assert counsel.state() == "Scope approved: production may begin"
    assert 'aria-current="step"' in counsel.page.content()
    counsel.shot("subpoena-04-scope-approved")

    # The custodian compiles it; counsel reviews the scope and the manifest side by side, and approves it.
    assign_custodian(director, reference)
    compile_production(custodian, reference)
    open_compiled(counsel, reference)
    content = counsel.page.content()
    assert "The approved scope" in content and f"CS-{reference}-000001" in content
    counsel.shot("subpoena-05-production-review")
    with counsel.page.expect_download() as download:
        counsel.page.get_by_role("link", name=f"CS-{reference}-past_loans.csv").click()
    assert open(download.value.path(), encoding="utf-8").readline().startswith("bates,user,card,loan")
    approve_production(counsel)

    # The custodian records the release, once; the officer closes the matter.
    fill_release(custodian, reference, "Clerk, Courtroom 4")
    custodian.submit()
    assert custodian.state() == "Released: to be closed"
    custodian.shot("subpoena-06-released")
    officer.step(reference, "Close the matter")
    officer.page.check("input[name=outcome][value=released_full]")
    officer.submit()
    assert officer.state() == "Closed"
    assert "in force" not in officer.page.locator("section[aria-labelledby=holds-heading]").inner_text()  # lifted
    officer.go(f"/matters/{reference}/productions/1/")
    assert "Clerk, Courtroom 4" in officer.page.content()
    officer.shot("subpoena-07-closed")
    for person in (desk, officer, director, counsel, custodian):
        person.close()


def test_a_search_warrant_executed_then_reviewed_afterwards(chromium, site, shots, tmp_path):  # noqa: F811
    desk, officer, director, counsel = people(chromium, site, shots, "desk", "officer", "director", "counsel")
    reference = log_at_desk(desk, tmp_path, asked="Officers with a search warrant for the computer sign-up sheets.")

    # The officer records it at once, from the matter just logged: nothing waits for an approval.
    officer.step(reference, "Record a search warrant executed")
    page = officer.page
    page.fill("#id_issuing_authority", "Judge A. Rivera, Circuit Court")
    page.fill("#id_case_number", "SW-2026-052")
    page.fill("#id_designation_text", "Sign-up sheets for the public computers, 1 to 15 March.")
    page.check("input[name=record_kinds][value=computer_sessions]")
    page.fill("#id_counsel_called", "Carmen Counsel")
    page.fill("#id_inventory", "Computer sign-up sheets, 1-15 March (copies)\nThe sign-up binder's cover page")
    for row, (name, badge) in enumerate([("Det. Casey Smith", "4471"), ("Ofc. Riley Park", "5120")]):
        page.fill(f"#id_officers-{row}-name", name)
        page.fill(f"#id_officers-{row}-id", badge)
        page.fill(f"#id_officers-{row}-agency", "Example Police Department")
    officer.shot("warrant-01-form")
    officer.submit()
    assert officer.state() == "Search warrant executed: counsel to review"
    warrant = officer.page.locator("section[aria-labelledby=warrant-heading]").inner_text()
    assert "Det. Casey Smith, 4471, Example Police Department" in warrant and "Ofc. Riley Park" in warrant
    assert "The sign-up binder's cover page" in warrant and "Carmen Counsel" in warrant
    officer.shot("warrant-02-executed")

    # Counsel is not on it yet: to them it does not exist. The director assigns counsel.
    counsel.go(f"/matters/{reference}/")
    assert counsel.heading() == "Not found"
    director.go("/matters/queue/waiting/")
    assert reference in director.text()
    assign_counsel(director, reference)
    assert director.state() == "Search warrant executed: counsel to review"

    # Counsel reviews it afterwards against the warrant's checklist, and the matter closes.
    counsel.step(reference, "Review afterwards and close")
    answer_yes(counsel)
    counsel.page.fill("#id_reasons", "Signed by a judge; executed in daytime; receipt left; nothing else viewed.")
    counsel.shot("warrant-03-review-afterwards")
    counsel.submit()
    assert counsel.state() == "Closed"
    assert "Counsel's review afterwards: Sufficient" in counsel.text()
    officer.go(f"/matters/{reference}/")
    assert officer.state() == "Closed"
    assert officer.page.locator(".next-steps a").all_inner_texts() == ["Refer a threat or unauthorized demand"]
    officer.shot("warrant-04-closed")
    for person in (desk, officer, director, counsel):
        person.close()


def test_a_defective_subpoena_through_its_cure(chromium, site, shots, tmp_path):  # noqa: F811
    desk, officer, director, counsel = people(chromium, site, shots, "desk", "officer", "director", "counsel")
    reference = log_at_desk(desk, tmp_path)
    explain_policy(officer, reference)
    attach_instrument(director, reference, case="CR-2026-200")
    assign_counsel(director, reference)

    determine(counsel, reference, "defective", defects="No clerk's signature\nReturnable to the police")
    assert counsel.state() == "Defective: awaiting cure"
    counsel.shot("defective-01-determined")

    # Nothing may be scoped until it is cured; the letter to the issuing party lists the defects.
    director.go(f"/matters/{reference}/")
    assert "Propose the scope" not in director.page.content()
    with director.page.expect_download() as download:
        director.page.get_by_role("link", name="Letter listing the defects (PDF)").click()
    assert download.value.suggested_filename == f"matter-{reference}-defects.pdf"
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")
    director.shot("defective-02-awaiting-cure")

    director.step(reference, "Attach the cured or amended instrument")
    fill_instrument(director, case="CR-2026-200-A", card="21000000123")
    director.shot("defective-03-cure")
    director.submit()
    assert director.state() == "With counsel"

    determine(counsel, reference, "sufficient")
    assert counsel.state() == "Sufficient: scope to define"
    assert "superseded" in counsel.page.content()
    counsel.shot("defective-04-cured-sufficient")
    for person in (desk, officer, director, counsel):
        person.close()
