"""Documents that go to a court or the public lay out whole: the transparency report's outcomes table keeps its
Total column on the page, and the custodian's certification keeps its manifest, declaration and signature
together however many files it lists (no signature alone on a page)."""

from __future__ import annotations

import io
import types

from pypdf import PdfReader

from closedstacks.documents import pdf
from closedstacks.library.models import LibraryProfile
from closedstacks.transparency.models import TransparencyReport
from tests.conftest import pdf_text
from tests.test_transparency_report import LAST_YEAR, library


def _placed_text(data: bytes) -> list[tuple[int, float, float, str]]:
    """(page, x, page width, text) of every piece of text the PDF draws."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, number=number, width=width):
            if text.strip():
                found.append((number, cm[4] + tm[4] * cm[0], width, text.strip()))
        page.extract_text(visitor_text=visit)
    return found


def test_the_transparency_pdf_keeps_every_column_on_the_page(accounts, client_for):
    library(accounts)
    officer = client_for("officer")
    officer.post("/transparency/new/", {"year": LAST_YEAR, "half": 0, "band_size": 500})
    report = TransparencyReport.objects.get()
    data = officer.get(f"/transparency/{report.pk}.pdf").content
    placed = _placed_text(data)
    assert any("Total" in text for _page, _x, _w, text in placed)
    for page, x, width, text in placed:
        assert 0 <= x < width - 20, f"{text!r} is drawn at x={x:.0f} on a page {width:.0f} wide (page {page + 1})"


def _file(n: int) -> dict:
    return {"name": f"CS-000042-{n:03d}-past_loans-part.csv", "records": 250, "bates_from": f"CS-000042-{n:06d}",
            "bates_to": f"CS-000042-{n + 249:06d}", "sha256": f"{n:064x}"}


def test_the_certification_keeps_its_signature_with_the_declaration(accounts):
    custodian = types.SimpleNamespace(display_name="Casey Custodian")
    production = types.SimpleNamespace(prefix="CS-000042", first_number=1, last_number=5000)
    scope = types.SimpleNamespace(date_from=None, date_to=None)
    instrument = types.SimpleNamespace(caption="People v. Doe", case_number="CR-1", issuing_authority="Court",
                                       issued_on=None, get_type_display=lambda: "Subpoena duces tecum")
    for count in range(12, 40, 3):  # file lists of many lengths: the page breaks fall everywhere
        data = pdf.render("records/certification_pdf.html", {
            "production": production, "matter": types.SimpleNamespace(reference="2026-ABCDEF"),
            "instrument": instrument, "scope": scope, "library": LibraryProfile.current(), "custodian": custodian,
            "kinds": [("Past loans", 5000)], "files": [_file(n) for n in range(count)], "manifest_sha256": "f" * 64,
            "search": {"found": 1, "ambiguous": 0, "not_found": 0}, "not_kept": []})
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
        last = pages[-1]
        assert "Manifest SHA-256" in last and "penalty of perjury" in last and "Executed on" in last, count
        assert "Casey Custodian, records custodian" in last
        assert all(len(text.strip().splitlines()) > 2 for text in pages), count  # no page of a row or a footer alone
    assert "Certification of records custodian" in pdf_text(data)
