"""Every page, every screen: no page scrolls sideways on a phone (390 px) or a laptop (1,366 px), none logs an error
in the browser's console, and the navigation collapses behind one "Menu" control on a phone.

The pages are those of the lived-in demo, found by following each role's links from its home page (as the
accessibility checks find them), and the desk's receipt after it logs an inquiry. A wide table may scroll inside
its own wrapper (``.table-scroll``); the page itself may not.
"""

from __future__ import annotations

import pytest

from tests.browser import Person, chromium, demo_site, log_at_desk, pages_of, shape  # noqa: F401 (fixtures)

ROLES = ["desk", "officer", "director", "counsel", "custodian", "auditor", "admin"]
PHONE, LAPTOP = (390, 844), (1366, 768)
# The kinds of page each role must have been checked on (besides what its links reach): a matter, the audit trail.
MUST_SEE = {
    "desk": {"receipt"},
    "officer": {"/matters/REF/"},
    "director": {"/matters/REF/"},
    "counsel": {"/matters/REF/"},
    "custodian": {"/matters/REF/"},
    "auditor": {"/audit/"},
}

pytestmark = pytest.mark.demo  # the lived-in demo: SQLite only, as test_browser_accessibility

# How wide the page is against its window, and the elements that stick out past its right edge (not those inside
# something that scrolls by itself, like a .table-scroll wrapper), to name in a failure.
MEASURE = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const scrollsItself = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true; } return false; };
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const wide = Array.from(document.body.querySelectorAll('*'))
    .filter(e => e.getBoundingClientRect().right > width + 1 && e.checkVisibility() && !scrollsItself(e))
    .slice(0, 4).map(e => name(e) + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)');
  return {scroll: root.scrollWidth, client: width, inner: window.innerWidth, wide: wide};
}"""


class Screens:
    """Looks at a person's page at each width, and keeps what the console said."""

    def __init__(self, person: Person):
        self.page = person.page
        self.problems: list[str] = []
        self.checked: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.problems.append(
            f"{self.page.url}: console error: {message.text}"))
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: page error: {error}"))

    def check(self, name: str) -> None:
        for width, height in (LAPTOP, PHONE):
            self.page.set_viewport_size({"width": width, "height": height})
            found = self.page.evaluate(MEASURE)
            # clientWidth is the window less any vertical scrollbar: wider than that, the page scrolls sideways.
            if found["scroll"] > min(found["client"], found["inner"]) + 1:
                self.problems.append(f"{name} at {width} px scrolls sideways: {found['scroll']} px wide in "
                                     f"{found['client']} px; sticking out: {', '.join(found['wide']) or '?'}")
        self.page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
        self.checked.append(name)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_a_role_reaches_scrolls_sideways_or_logs_an_error(chromium, demo_site, role, tmp_path):  # noqa: F811
    person = Person(chromium, demo_site, role, tmp_path, viewport=LAPTOP)
    screens = Screens(person)
    try:
        paths = pages_of(person.page, demo_site, screens.check)
        if role == "desk":
            log_at_desk(person, tmp_path)  # the receipt the desk hands over
            screens.check("receipt")
        kinds = {shape(path) for path in screens.checked}
        print(f"\n{role}: {len(screens.checked)} pages checked at 390 and 1366 px: {sorted(kinds)}")
        assert len(paths) >= 5, paths  # the crawl reached the role's pages
        assert MUST_SEE.get(role, set()) <= kinds, sorted(kinds)
        assert screens.problems == []
    finally:
        person.close()


def test_the_sign_in_page_fits_a_phone(chromium, demo_site):  # noqa: F811
    context = chromium.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, locale="en-US")
    page = context.new_page()
    try:
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.goto(demo_site + "/sign-in/")
        found = page.evaluate(MEASURE)
        assert found["scroll"] <= found["client"] + 1, found
        assert errors == []
    finally:
        context.close()


def test_on_a_phone_the_navigation_waits_behind_one_menu_control(chromium, demo_site, tmp_path):  # noqa: F811
    admin = Person(chromium, demo_site, "officer", tmp_path, viewport=PHONE)  # the most groups of any role
    page = admin.page
    nav = page.get_by_role("navigation", name="Main")
    menu = page.locator(".site-menu > summary")
    try:
        assert menu.is_visible()
        assert not nav.is_visible()  # collapsed: the header is the name and the Menu control
        assert page.locator(".site-header").bounding_box()["height"] < 80
        menu.focus()
        page.keyboard.press("Enter")  # by keyboard
        assert nav.is_visible()
        assert nav.get_by_role("link", name="Deadlines").count() == 0  # each group is folded too
        nav.locator("summary", has_text="Matters").click()
        nav.get_by_role("link", name="Deadlines").click()
        page.wait_for_load_state()
        assert page.url.endswith("/deadlines/"), page.url
        assert not nav.is_visible()  # a new page: the menu is folded again
        menu.click()
        current = nav.locator("[aria-current=page]")
        assert current.count() == 1 and current.get_attribute("href").endswith("/deadlines/")
    finally:
        admin.close()


def test_on_a_laptop_the_groups_fit_one_row_and_open_as_dropdowns(chromium, demo_site, tmp_path):  # noqa: F811
    admin = Person(chromium, demo_site, "officer", tmp_path, viewport=LAPTOP)
    page = admin.page
    nav = page.get_by_role("navigation", name="Main")
    try:
        assert not page.locator(".site-menu > summary").is_visible() and nav.is_visible()
        groups = nav.locator("summary")
        labels = [label.strip() for label in groups.all_inner_texts()]
        assert {"Matters", "Reports", "The library"} <= set(labels), labels
        tops = {round(box["y"]) for box in (group.bounding_box() for group in groups.all())}
        assert len(tops) == 1, labels  # one row, not two rows of links
        assert not nav.get_by_role("link", name="Deadlines").is_visible()
        nav.locator("summary", has_text="Matters").click()
        assert nav.get_by_role("link", name="Deadlines").is_visible()
        nav.locator("summary", has_text="Reports").click()  # one open at a time
        assert not nav.get_by_role("link", name="Deadlines").is_visible()
        assert nav.get_by_role("link", name="My reports").is_visible()
        found = page.evaluate(MEASURE)
        assert found["scroll"] <= found["client"] + 1, found  # an open dropdown stays inside the window
    finally:
        admin.close()
