"""Every page, for every role, in a real browser: axe-core finds no serious or critical violation, every control
can be reached with the Tab key and shows where the focus is, and the desk's forms work by keyboard alone.

The pages are those of the lived-in demo (``closedstacks demo``: matters at every step, reports, retention, the
dashboard), found by following each role's links from its home page — what a person could reach. axe-core is
the pinned copy ``./run test`` fetched from the npm registry (scripts/fetch_axe.py), injected into each page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser import chromium, demo_site, pages_of, shape  # noqa: F401 (fixtures)

AXE = Path(__file__).resolve().parents[1] / ".venv" / "share" / "axe-core" / "axe.min.js"
ROLES = ["desk", "officer", "director", "counsel", "custodian", "auditor", "admin"]
FOCUSABLE = "main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary"


# The demo is SQLite only (``closedstacks demo``), as a newcomer runs it: these checks run in the SQLite pass of
# ``./run test`` and are left out of the PostgreSQL pass, where they would be the very same run again.
pytestmark = pytest.mark.demo


@pytest.fixture(autouse=True)
def axe_at_hand():
    """axe-core, fetched by ./run test: without it, fail under CI (CI set), else skip saying why."""
    if not AXE.exists():
        missing = f"{AXE} is missing (./run test fetches it: scripts/fetch_axe.py)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


def signed_in(browser, site: str, username: str):
    # The pages' Content-Security-Policy forbids inline scripts, and axe is injected by the test: the test's
    # browser bypasses it (the server still sends it).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{site}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"demo-{username}-pass")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return context, page


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"""))


def unreachable_by_tab(page) -> list[str]:
    """The visible controls in the page's main part that pressing Tab never reaches, and focused ones that do not
    show the focus. A group of radio buttons is one stop (the arrow keys move within it, as in every browser); a
    date field takes a Tab for each of its parts."""
    wanted = page.evaluate(f"""() => Array.from(document.querySelectorAll({FOCUSABLE!r}))
        .filter(e => !e.disabled && e.checkVisibility({{visibilityProperty: true}})
                     && !(e.closest('details:not([open])') && e.tagName !== 'SUMMARY'))
        .map((e, i) => {{ e.dataset.a11yId = e.type === 'radio' ? 'radio:' + e.name : String(i);
                          return e.dataset.a11yId; }})""")
    reached, order, shown_badly = set(), [], []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(6 * len(wanted) + 60):  # the header's links come first
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement; if (!e || !e.dataset) return null;
            const s = getComputedStyle(e); return [e.dataset.a11yId || null,
            (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none',
            e.tagName + (e.name ? '[name=' + e.name + ']' : '')]; }""")
        if not focused or focused[0] is None:
            continue
        if order and focused[0] == order[0] and len(order) > 1:
            break  # round the page once, back at the first control
        if focused[0] not in reached:
            reached.add(focused[0])
            order.append(focused[0])
            if not focused[1]:
                shown_badly.append(f"focus not visible on {focused[2]}")
    missing = sorted(set(wanted) - reached)
    described = page.evaluate("""ids => ids.map(i => document.querySelector('[data-a11y-id="' + i + '"]'))
        .map(e => e.tagName + (e.name ? '[name=' + e.name + ']' : '') + (e.id ? '#' + e.id : ''))""", missing)
    return [f"not reachable by Tab: {m}" for m in described] + shown_badly


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_passes_axe_and_the_tab_key(chromium, demo_site, role):  # noqa: F811
    context, page = signed_in(chromium, demo_site, role)
    problems, walked = {}, set()

    def check(path: str) -> None:
        found = axe_violations(page)
        if shape(path) not in walked and page.locator("main form").count():
            walked.add(shape(path))  # the Tab key, once per kind of page with a form
            found += unreachable_by_tab(page)
        if found:
            problems[path] = found

    try:
        paths = pages_of(page, demo_site, check)
        assert len(paths) >= 5, paths  # the crawl reached the role's pages
        assert problems == {}
    finally:
        context.close()


def tab_to(page, element_id: str | None) -> None:
    """Press Tab until the element with ``element_id`` (None: a submit button) has the focus."""
    for _ in range(80):
        here = page.evaluate("() => [document.activeElement.id, document.activeElement.type]")
        if (element_id is None and here[1] == "submit") or (element_id is not None and here[0] == element_id):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {element_id or 'a submit button'}")


def follow(page) -> None:
    """Press Enter on the focused link or submit button, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_desk_logs_an_inquiry_and_reports_a_problem_by_keyboard_alone(chromium, demo_site):  # noqa: F811
    context, page = signed_in(chromium, demo_site, "desk")
    keys = page.keyboard
    try:
        page.goto(demo_site + "/")
        nav = page.get_by_role("navigation", name="Main")
        nav.locator("summary", has_text="Matters").focus()
        keys.press("Enter")  # open the group by keyboard
        nav.get_by_role("link", name="Log an inquiry").focus()
        follow(page)
        tab_to(page, "id_requester_name")
        keys.type("A visitor in a grey coat")
        tab_to(page, "id_channel_0")
        keys.press("Space")  # in person
        tab_to(page, "id_request_text")
        keys.type("Who borrowed the book on local history last week?")
        tab_to(page, None)
        follow(page)
        assert "/receipt/" in page.url, page.url

        page.goto(demo_site + "/")
        nav = page.get_by_role("navigation", name="Main")
        nav.locator("summary", has_text="Reports").focus()
        keys.press("Enter")  # open the group by keyboard
        nav.get_by_role("link", name="Report a problem").focus()
        follow(page)
        tab_to(page, "id_kind_0")
        keys.press("Space")  # an unauthorized demand
        tab_to(page, "id_what")
        keys.type("Someone demanded a patron's address at the desk and would not leave.")
        tab_to(page, None)
        follow(page)
        assert "/reports/new/" not in page.url and page.locator(".message.success").count(), page.url
    finally:
        context.close()
