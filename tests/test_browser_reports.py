"""A report from any page by desk staff, and the officer's desk through a breach to closure, in a real browser."""

from __future__ import annotations

import re

from tests.browser import Person, chromium, shots, site  # noqa: F401  (fixtures)


def open_step(person: Person, summary: str) -> None:
    person.page.locator("summary", has_text=summary).click()


def submit_in(person: Person, summary: str) -> None:
    person.page.locator("details[open] form button[type=submit]").first.click()
    person.page.wait_for_load_state()


def test_staff_report_from_any_page_and_the_officer_runs_the_desk(chromium, site, shots):  # noqa: F811
    desk, officer, director = (Person(chromium, site, name, shots) for name in ("desk", "officer", "director"))

    # From any page (here the policy), one link in the header.
    desk.go("/policy/")
    desk.page.get_by_role("link", name="Report a problem", exact=True).first.click()
    page = desk.page
    page.check("input[name=kind][value=unauthorized_demand]")
    page.fill("#id_place", "Circulation desk")
    page.fill("#id_who", "A man who said he was the user's employer")
    page.fill("#id_what", "Demanded to know which books his employee borrowed; no papers.")
    page.check("input[name=disclosed][value=yes]")
    page.fill("#id_disclosed_what", "A volunteer confirmed that the employee has a card.")
    page.fill("#id_witnesses", "Sam, volunteer")
    desk.shot("reports-01-form")
    desk.submit()
    heading = page.locator("h1").inner_text()
    number = re.search(r"Report (\d+)", heading).group(1)
    assert "your receipt" in heading and "New: waiting for the officer" in page.content()
    desk.shot("reports-02-receipt")

    # The officer sees it on the home page, then triages it.
    officer.go("/")
    officer.page.get_by_role("link", name=re.compile("New, waiting for triage: 1")).click()
    officer.page.get_by_role("link", name=f"Report {number}", exact=True).click()
    assert "Demanded to know which books" in officer.page.content()
    open_step(officer, "Triage: kind, severity, due date")
    officer.page.check("input[name=severity][value=high]")
    submit_in(officer, "Triage")
    assert "In hand" in officer.page.content()

    # A disclosure: it becomes a breach; the person affected is named only on the breach page.
    open_step(officer, "Record as a breach")
    officer.page.check("input[name=record_kinds][value=patron_record]")
    submit_in(officer, "Record as a breach")
    officer.page.get_by_role("link", name=re.compile("Open the breach")).click()
    assert officer.page.url.endswith(f"/reports/{number}/breach/")
    open_step(officer, "Add a person affected")
    officer.page.fill("#id_name", "Robin Employee")
    officer.page.fill("#id_identifier", "21000000999")
    officer.page.fill("#id_address", "4 Elm Street, Springfield")
    submit_in(officer, "Add a person affected")
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
    submit_in(officer, "Close with the outcome")
    assert "Closed" in officer.page.locator("dl.facts").inner_text()

    desk.go("/reports/mine/")
    assert "Closed" in desk.page.content() and "Robin Employee" not in desk.page.content()
    for person in (desk, officer, director):
        person.close()
