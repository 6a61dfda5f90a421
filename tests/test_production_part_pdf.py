"""A production's PDF part as a court reads it: every value whole (wrapped, never cut), a record taller than a
page going on over the next, and each page's foot naming the first and last Bates numbers on it; a part whose
text needs shaping or another font is laid out by WeasyPrint instead."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from closedstacks.records import part_pdf
from closedstacks.records.package import _part

HEADERS = ["Bates number", "Library card", "Checked out", "Title", "Author", "Branch"]


def _rows(count: int, *, long_title: int | None = None) -> list[list[str]]:
    rows = [[f"CS-2026-0042-{n:06d}", f"2100000{n:04d}", "2026-03-04 10:11:12 EST",
             f"Collected essays on the history of the county, volume {n}", "Example, Jordan", "Harbour Street Branch"]
            for n in range(1, count + 1)]
    if long_title is not None:
        rows[long_title][3] = " ".join(f"word{n:04d}" for n in range(1500))
    return rows


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_value_is_whole_and_each_page_names_its_first_and_last_record():
    rows = _rows(120)
    pages = _pages(part_pdf.render_part(heading="People v. Roe · Past loans", footer_kind="Past loans",
                                        headers=HEADERS, rows=rows))
    assert len(pages) > 2
    text = _squash("".join(pages))
    for row in rows:
        for value in row:
            assert _squash(value) in text, value
    seen = []
    for page in pages:
        assert "CONFIDENTIAL" in page and "Bates number" in page  # headers repeated on every page
        footer = re.search(r"(CS-2026-0042-\d{6}) – (CS-2026-0042-\d{6})", page)
        assert footer, page[-200:]
        body = [n for n in re.findall(r"CS-2026-0042-\d{6}", page[:footer.start()] + page[footer.end():])]
        assert body and (body[0], body[-1]) == footer.groups()
        seen.extend(body)
    assert sorted(set(seen)) == [row[0] for row in rows]  # every record on some page, in order


def test_a_record_taller_than_a_page_goes_on_over_the_next():
    rows = _rows(6, long_title=2)
    pages = _pages(part_pdf.render_part(heading="Past loans", footer_kind="Past loans", headers=HEADERS, rows=rows))
    text = _squash("".join(pages))
    assert all(f"word{n:04d}" in text for n in range(1500))
    tall = rows[2][0]
    holding = [page for page in pages if tall in page]
    assert len(holding) >= 2  # on each page it runs over, and in their footers
    assert "(continued)" in holding[1]


def test_a_word_wider_than_its_column_is_broken_not_cut():
    headers = [f"Column {n}" for n in range(16)]
    token = "X" * 40 + "Y" * 40 + "Z" * 40
    rows = [[f"CS-1-{n:06d}", *([token] * 15)] for n in range(3)]
    text = _squash("".join(_pages(part_pdf.render_part(heading="Wide", footer_kind="Wide", headers=headers,
                                                       rows=rows))))
    assert text.count(token) >= 45


def test_text_that_must_be_shaped_or_needs_another_font_goes_to_weasyprint():
    assert part_pdf.drawable(["Łódź", "Ελληνικά", "Кириллица", "naïve café — “quoted”", "2026-03-04 10:00 EST"])
    for text in ("中文書名", "العربية", "עברית", "हिन्दी"):
        assert not part_pdf.drawable(["plain", text]), text
    rows = _rows(3)
    drawn = _part(title="People v. Roe", kind="Past loans", columns=["bates", "card", "checked_out", "title",
                                                                      "author", "branch"], rows=rows, prefix="CS")
    assert "html" not in drawn and drawn["headers"][0] == "Bates number"
    rows[1][3] = "中文書名"
    laid_out = _part(title="People v. Roe", kind="Past loans", columns=["bates", "card", "checked_out", "title",
                                                                         "author", "branch"], rows=rows, prefix="CS")
    assert "中文書名" in laid_out["html"]
    text = "".join(_pages(part_pdf.render(laid_out)))
    assert "CONFIDENTIAL" in text and rows[0][0] in text
