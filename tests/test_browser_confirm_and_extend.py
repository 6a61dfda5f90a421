"""In a real browser: a step that cannot be undone restates what it will do and waits for its confirmation (and
nothing entered is lost while it waits); a deadline agreed with the issuing party is extended on the matter page,
with who agreed and why, and the timeline says so."""

from __future__ import annotations

import datetime as dt
import re

from tests.browser import (  # noqa: F401  (chromium, shots, site: fixtures)
    chromium,
    explain_policy,
    fill_instrument,
    log_at_desk,
    people,
    reveal,
    shots,
    site,
)


def test_declining_restates_what_it_does_and_waits_for_the_confirmation(
        chromium, site, shots, tmp_path):  # noqa: F811
    desk, officer = people(chromium, site, shots, "desk", "officer")
    reference = log_at_desk(desk, tmp_path, asked="Who used public computer 4 on Tuesday?")
    explain_policy(officer, reference)
    officer.step(reference, "Decline: no instrument")
    page = officer.page
    box = page.locator("#confirm-box")
    assert "Before you confirm" in box.inner_text()
    assert "no record is released, and its legal holds are lifted" in box.inner_text()
    page.fill("#id_reason", "No process was served; the visitor was given the policy letter.")
    page.locator("main form button[type=submit]:not([name=save_draft])").last.click()  # not ticked
    page.wait_for_load_state()
    assert "Tick the confirmation: this step cannot be undone" in officer.text()
    assert page.input_value("#id_reason") == "No process was served; the visitor was given the policy letter."
    officer.go(f"/matters/{reference}/")
    assert officer.state() == "Policy explained"  # nothing was done
    officer.step(reference, "Decline: no instrument")
    page.fill("#id_reason", "No process was served.")
    officer.submit()  # ticks the confirmation, then sends
    assert officer.state() == "Declined: no instrument"
    for person in (desk, officer):
        person.close()


def test_a_deadline_is_extended_with_who_agreed_and_why(chromium, site, shots, tmp_path):  # noqa: F811
    desk, officer, director = people(chromium, site, shots, "desk", "officer", "director")
    reference = log_at_desk(desk, tmp_path)
    explain_policy(officer, reference)
    returns = dt.date.today() + dt.timedelta(days=20)
    director.step(reference, "Attach the instrument")
    fill_instrument(director, case="CR-2026-7311", card="21000000123", dates=("2025-01-01", "2025-12-31"))
    director.page.fill("#id_return_at", f"{returns.isoformat()}T10:00")
    director.submit()
    assert director.state() == "Instrument received"
    director.go(f"/matters/{reference}/")
    deadline = director.page.locator("ul.deadlines li").filter(has_text=returns.isoformat()).first
    assert deadline.count(), director.page.locator("ul.deadlines").inner_text()
    later = returns + dt.timedelta(days=14)
    summary = deadline.locator("summary", has_text="Record an extension")
    reveal(summary)
    summary.click()
    deadline.get_by_label("New date").fill(later.isoformat())
    deadline.get_by_label("Agreed with (for the issuing party)").fill("ADA Pat Lawson")
    deadline.get_by_label("Why").fill("The records span two systems; the prosecutor agreed to two more weeks.")
    deadline.get_by_role("button", name="Extend the deadline").click()
    director.page.wait_for_load_state()
    deadlines = director.page.locator("ul.deadlines").inner_text()
    assert later.isoformat() in deadlines
    assert re.search(rf"Extended from {returns.isoformat()} to {later.isoformat()}, agreed with ADA Pat Lawson",
                     deadlines)
    assert "two more weeks" in deadlines
    timeline = director.page.locator("ol.timeline").inner_text()
    assert "xtended" in timeline, timeline
    for person in (desk, officer, director):
        person.close()
