"""A starter training module taken end to end in a real browser: a failed try, then a pass with the attestation."""

from __future__ import annotations

from closedstacks.training.starter import MODULES
from tests.browser import Person, chromium, shots, site  # noqa: F401  (fixtures)

POLICY = next(m for m in MODULES if m["slug"] == "confidentiality-policy")


def answer(person: Person, *, correct: bool) -> None:
    """Choose the right answer to each question, or a wrong one."""
    for number, (question, choices) in enumerate(POLICY["questions"], start=1):
        text = next(choice for choice, right in choices if right == correct)
        group = person.page.get_by_role("group", name=f"{number}. {question}", exact=True)
        group.get_by_label(text, exact=True).check()


def test_a_staff_member_takes_a_starter_module(chromium, site, shots):  # noqa: F811
    desk = Person(chromium, site, "desk", shots)
    page = desk.page
    assert "Your training" in page.content()  # on the home page: nothing completed yet
    desk.follow("Training")
    row = page.locator('tr[data-module="confidentiality-policy"]')
    assert row.locator(".status").inner_text() == "Overdue"
    row.get_by_role("link").click()
    assert page.locator("h1").inner_text() == POLICY["title"]
    assert page.get_by_role("heading", name="Why library records are confidential", exact=True).is_visible()

    answer(desk, correct=False)
    page.get_by_label(POLICY["attestation"]).check()
    desk.submit()
    assert "You scored 0%; 80% is needed to pass." in page.locator("#result").inner_text()
    assert page.get_by_text("This answer is not right.").count() == len(POLICY["questions"])
    desk.shot("training-01-failed")

    answer(desk, correct=True)
    page.get_by_label(POLICY["attestation"]).check()
    desk.submit()
    assert page.url.endswith("/training/")
    assert "You completed" in page.locator(".messages").inner_text()
    row = page.locator('tr[data-module="confidentiality-policy"]')
    assert row.locator(".status").inner_text() == "Current"
    assert page.locator('tr[data-module="reporting"] .status').inner_text() == "Overdue"
    desk.shot("training-02-current")
    desk.close()
