"""The case file in Chromium, on the lived-in demo: the matters list finds a matter by its case number and by the
requester's agency, the approval page shows the scope beside the instrument, a note recorded on the matter page
appears on its timeline, and a Spanish reader's pages say nothing in English."""

from __future__ import annotations

import re

import pytest

from tests.browser import Person, chromium, demo_site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.demo  # the lived-in demo: SQLite only, as test_browser_accessibility

CUSTODY = "2026-DR-0077"  # the demo's civil subpoena in a custody case, its scope awaiting the second approval


def _search(person: Person, words: str) -> list[str]:
    """Search the open matters; the rows' text."""
    person.go("/matters/queue/open/")
    person.page.get_by_label("Search").fill(words)
    person.page.locator("form.matter-finder button[type=submit]").click()
    person.page.wait_for_load_state()
    return person.page.locator("main tbody tr").all_inner_texts()


def _open_custody(person: Person) -> str:
    rows = _search(person, CUSTODY)
    reference = re.search(r"\d{4}-[0-9A-Z]{6}", rows[0]).group(0)
    person.go(f"/matters/{reference}/")
    return reference


def test_the_list_finds_a_matter_by_case_number_and_by_agency(chromium, demo_site, tmp_path):  # noqa: F811
    director = Person(chromium, demo_site, "director", tmp_path)
    try:
        rows = _search(director, CUSTODY)
        assert len(rows) == 1 and CUSTODY in rows[0], rows
        by_agency = _search(director, "lawson & reed")
        assert by_agency and all("Lawson & Reed LLP" in row for row in by_agency), by_agency
        assert any(CUSTODY in row or "Marriage of Doe" in row for row in by_agency)
        nothing = _search(director, "no such case 0000")
        assert not any(re.search(r"\d{4}-[0-9A-Z]{6}", row) for row in nothing), nothing
    finally:
        director.close()


def test_the_approval_page_shows_the_scope_beside_the_instrument(chromium, demo_site, tmp_path):  # noqa: F811
    for username in ("director", "counsel"):
        person = Person(chromium, demo_site, username, tmp_path)
        try:
            reference = _open_custody(person)
            if "/act/approve_scope/" not in person.page.content():
                continue  # this one has approved already: the other approval is awaited
            person.go(f"/matters/{reference}/act/approve_scope/")
            table = person.page.locator("main table").first.inner_text()
            assert "What is being decided" in person.text()
            for shown in ("Proposed scope", "What the instrument designates", "Users", "Kinds of record",
                          "Dates", CUSTODY):
                assert shown in table or shown in person.text(), shown
            assert "Before you confirm" in person.text()  # an approval cannot be withdrawn
            return
        finally:
            person.close()
    pytest.fail("neither the director nor counsel is asked to approve the custody scope")


def test_a_note_recorded_on_the_matter_appears_on_its_timeline(chromium, demo_site, tmp_path):  # noqa: F811
    officer = Person(chromium, demo_site, "officer", tmp_path)
    try:
        _open_custody(officer)
        page = officer.page
        page.locator("#note-kind").select_option("call")
        page.get_by_label("When it happened").fill("2026-11-30T10:15")
        page.get_by_label("Who with").fill("Pat Lawson")
        page.get_by_label("Summary").fill("Agreed to wait for counsel's review before the return date")
        page.get_by_role("button", name="Add to the timeline").click()
        page.wait_for_load_state()
        timeline = page.locator("ol.timeline").inner_text()
        assert "Telephone call (Pat Lawson): Agreed to wait for counsel's review before the return date" in timeline
    finally:
        officer.close()


ENGLISH = ["What you can do next", "Waiting on", "Deadlines", "Timeline", "Sign out", "Legal holds", "Other actions",
           "Where the matter stands", "Search", "Next deadline", "Logged", "Menu", "Times are in"]


def test_a_spanish_readers_pages_say_nothing_in_english(chromium, demo_site, tmp_path):  # noqa: F811
    officer = Person(chromium, demo_site, "officer", tmp_path)
    try:
        page = officer.page
        page.locator("#language-choice").select_option("es")
        page.locator(".language-switcher button[type=submit]").click()
        page.wait_for_load_state()
        reference = _open_custody_es(officer)
        for path in ("/", "/matters/queue/open/", f"/matters/{reference}/", "/matters/deadlines/", "/reports/"):
            officer.go(path)
            body = page.locator("body").inner_text()
            found = [words for words in ENGLISH if words in body]
            assert not found, f"{path} says {found} in English"
            assert page.locator("html").get_attribute("lang") == "es"
    finally:
        officer.close()


def _open_custody_es(person: Person) -> str:
    person.go("/matters/queue/open/")
    person.page.locator("input[name=q]").fill(CUSTODY)
    person.page.locator("form.matter-finder button[type=submit]").click()
    person.page.wait_for_load_state()
    row = person.page.locator("main tbody tr").first.inner_text()
    return re.search(r"\d{4}-[0-9A-Z]{6}", row).group(0)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_value_of_a_productions_csv_is_in_its_pdf_and_letters_carry_the_letterhead(
        chromium, demo_site, tmp_path):  # noqa: F811
    import csv
    import io

    from pypdf import PdfReader

    from closedstacks.records.package import shown

    counsel = Person(chromium, demo_site, "counsel", tmp_path)
    try:
        found = None
        for state in ("production_review", "production_approved", "released"):
            counsel.go(f"/matters/queue/open/?state={state}")
            references = re.findall(r"\d{4}-[0-9A-Z]{6}", counsel.page.locator("main tbody").inner_text())
            if references:
                found = references[0]
                break
        assert found, "counsel sees no matter with a production"
        counsel.go(f"/matters/{found}/productions/1/")
        links = counsel.page.locator("main a[href*='/files/']")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        csvs = [h for h in hrefs if h.endswith(".csv") and "manifest" not in h]
        assert csvs, hrefs
        checked = 0
        for href in csvs:
            rows = list(csv.reader(io.StringIO(counsel.page.request.get(demo_site + href).text())))
            kind = href.rsplit("-", 1)[-1].removesuffix(".csv")
            parts = [h for h in hrefs if h.endswith(".pdf") and f"-{kind}-" in h]
            text = _squash("".join(page.extract_text() for part in parts for page in
                                   PdfReader(io.BytesIO(counsel.page.request.get(demo_site + part).body())).pages))
            for row in rows[1:]:
                for value in row:
                    assert _squash(shown(value)) in text, (href, value)
                    checked += 1
        assert checked > 0
        # A letter from the same matter: the library's name heads it and the responsible officer signs it.
        letter = counsel.page.request.get(demo_site + f"/matters/{found}/letters/explanation.pdf")
        words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.body())).pages)
        assert "Sincerely," in words and f"Reference {found}" in words and "Closed Stacks" not in words
    finally:
        counsel.close()


def test_counsel_reads_the_instrument_beside_the_checklist(chromium, demo_site, tmp_path):  # noqa: F811
    for width in (1366, 390):
        counsel = Person(chromium, demo_site, "counsel", tmp_path, viewport=(width, 900))
        try:
            counsel.go("/matters/queue/open/?state=in_review")
            references = re.findall(r"\d{4}-[0-9A-Z]{6}", counsel.page.locator("main tbody").inner_text())
            assert references, "counsel has no matter in review in the demo"
            counsel.go(f"/matters/{references[0]}/act/determine/")
            viewer = counsel.page.locator("aside.document-viewer")
            assert viewer.is_visible() and "The instrument" in viewer.inner_text()
            first = viewer.locator("img").first
            first.scroll_into_view_if_needed()
            counsel.page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first.element_handle())
            assert first.evaluate("img => img.naturalWidth") == 1100
            form, pane = (counsel.page.locator(".beside-form").bounding_box(), viewer.bounding_box())
            if width == 1366:
                assert pane["x"] >= form["x"] + form["width"] - 1, "the instrument is beside the checklist"
                assert abs(pane["y"] - form["y"]) < 5
            else:
                assert pane["y"] >= form["y"] + form["height"] - 1, "on a phone the instrument comes after"
            assert counsel.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        finally:
            counsel.close()
