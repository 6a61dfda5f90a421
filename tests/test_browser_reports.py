"""Reports to the officer in a real browser: a threat reported by desk staff and triaged by the officer; an
unauthorized demand reported from any page, through a breach to closure."""

from __future__ import annotations

import re

from tests.browser import (  # noqa: F401  (chromium, shots, site: fixtures)
    NO_ACCESS,
    chromium,
    fill_report,
    open_step,
    people,
    receipt_number,
    shots,
    site,
    submit_step,
)


def test_a_threat_reported_by_staff_and_triaged_by_the_officer(chromium, site, shots):  # noqa: F811
    desk, officer = people(chromium, site, shots, "desk", "officer")

    # From the home page, in under two minutes.
    desk.go("/")
    fill_report(desk, "threat", place="Main desk", who="A man in a grey coat, about 50",
                what="Shouted that he would be back with friends unless we told him what his neighbour reads.",
                witnesses="Sam, volunteer")
    desk.shot("threat-01-form")
    desk.submit()
    number = receipt_number(desk)
    receipt = desk.text()
    assert "Threat or insistent demand" in receipt and "New: waiting for the officer" in receipt
    assert "555-0199" in receipt  # whom to call if it gets worse, after hours too
    desk.shot("threat-02-receipt")

    # The officer: on the home page, then on the Reports desk, then the report itself.
    officer.go("/")
    officer.follow(re.compile(r"New, waiting for triage: \d+"))
    row = officer.page.locator("tr", has=officer.page.get_by_role("link", name=f"Report {number}", exact=True))
    assert "Threat or insistent demand" in row.inner_text() and "New: waiting for the officer" in row.inner_text()
    officer.shot("threat-03-reports-desk")
    officer.follow(f"Report {number}")
    assert "A man in a grey coat" in officer.text() and "Sam, volunteer" in officer.text()
    open_step(officer, "Triage: kind, severity, due date")
    officer.page.check("input[name=severity][value=critical]")
    officer.page.fill("details[open] textarea[name=note]", "Told the director; the police were called.")
    officer.shot("threat-04-triage")
    submit_step(officer)
    facts = officer.page.locator("dl.facts").inner_text()
    assert "In hand" in facts and "Critical" in facts
    assert "Triaged: Told the director; the police were called." in officer.text()
    officer.shot("threat-05-in-hand")

    # The reporter sees the status of their own report, and not the officer's notes nor the desk.
    desk.go("/reports/mine/")
    mine = desk.page.locator("tr", has=desk.page.get_by_role("link", name=f"Report {number}", exact=True))
    assert "In hand" in mine.inner_text()
    desk.go(f"/reports/{number}/")
    assert "In hand" in desk.text() and "police were called" not in desk.text()
    desk.go("/reports/")
    assert desk.heading() == NO_ACCESS
    for person in (desk, officer):
        person.close()


def test_staff_report_from_any_page_and_the_officer_runs_the_desk(chromium, site, shots):  # noqa: F811
    desk, officer, director = people(chromium, site, shots, "desk", "officer", "director")

    # From any page (here the policy), one link in the header.
    desk.go("/policy/")
    fill_report(desk, "unauthorized_demand", place="Circulation desk", who="A man who said he was the user's employer",
                what="Demanded to know which books his employee borrowed; no papers.", disclosed="yes",
                disclosed_what="A volunteer confirmed that the employee has a card.", witnesses="Sam, volunteer")
    desk.shot("reports-01-form")
    desk.submit()
    number = receipt_number(desk)
    assert "New: waiting for the officer" in desk.page.content()
    desk.shot("reports-02-receipt")

    # The officer sees it on the home page, then triages it.
    officer.go("/")
    officer.follow(re.compile(r"New, waiting for triage: \d+"))
    officer.follow(f"Report {number}")
    assert "Demanded to know which books" in officer.page.content()
    open_step(officer, "Triage: kind, severity, due date")
    officer.page.check("input[name=severity][value=high]")
    submit_step(officer)
    assert "In hand" in officer.page.content()

    # A disclosure: it becomes a breach; the person affected is named only on the breach page.
    open_step(officer, "Record as a breach")
    officer.page.check("input[name=record_kinds][value=patron_record]")
    submit_step(officer)
    officer.follow(re.compile("Open the breach"))
    assert officer.page.url.endswith(f"/reports/{number}/breach/")
    open_step(officer, "Add a person affected")
    officer.page.fill("#id_name", "Robin Employee")
    officer.page.fill("#id_identifier", "21000000999")
    officer.page.fill("#id_address", "4 Elm Street, Springfield")
    submit_step(officer)
    assert "Robin Employee" in officer.page.content()
    officer.page.check("input[name=decision][value=notify]")
    officer.page.fill("#id_reasons", "State law requires notice; counsel agrees.")
    officer.page.fill("#id_notice_text", "A volunteer confirmed to a caller that you hold a library card.")
    officer.page.get_by_role("button", name="Record the decision").click()
    officer.page.wait_for_load_state()
    with officer.page.expect_download() as letters:
        officer.page.get_by_role("link", name="All notice letters (PDF)").click()
    assert letters.value.suggested_filename == f"report-{number}-notices.pdf"
    officer.page.fill("input[name=on]", officer.page.evaluate("new Date().toISOString().slice(0, 10)"))
    officer.page.get_by_role("button", name="Record", exact=True).click()
    officer.page.wait_for_load_state()
    officer.shot("reports-03-breach")

    # The list never names the person.
    officer.go("/reports/?show=all")
    assert "1 person affected" in officer.page.content() and "Robin Employee" not in officer.page.content()
    officer.shot("reports-04-desk")

    # The director reads the breach; cannot change it.
    director.go(f"/reports/{number}/breach/")
    assert "Robin Employee" in director.page.content()
    assert director.page.locator("summary", has_text="Add a person affected").count() == 0

    officer.go(f"/reports/{number}/")
    open_step(officer, "Close with the outcome")
    officer.page.fill("#id_outcome", "Volunteer retrained; the user was notified.")
    submit_step(officer)
    assert "Closed" in officer.page.locator("dl.facts").inner_text()

    desk.go("/reports/mine/")
    mine = desk.page.locator("tr", has=desk.page.get_by_role("link", name=f"Report {number}", exact=True))
    assert "Closed" in mine.inner_text() and "Robin Employee" not in desk.page.content()
    for person in (desk, officer, director):
        person.close()
