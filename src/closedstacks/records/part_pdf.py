"""A production's PDF part: the records of one kind as a table across landscape Letter pages, drawn with fpdf2.

Every other PDF the product makes is an HTML template laid out by WeasyPrint. A production is different: a table
of thousands of records, and WeasyPrint spends about 25 ms laying out each row of it (a 10,000-record production
took over two minutes on two cores). fpdf2 draws the same rows in about 3 ms, so this module lays the table out
itself, in the few rules a court's copy needs:

- every column of the CSV, under its human header, repeated at the top of every page;
- each column at least as wide as its longest word and at most as wide as its longest value, the room left given
  first to the columns that need least of it to show whole; values wrap at spaces (and at line breaks), and only
  a word wider than its column is broken, so nothing is ever cut off;
- a record taller than a page goes on over the next page rather than being clipped;
- on every page's foot: CONFIDENTIAL, the part's page number, and the first and last Bates numbers on the page.

fpdf2 draws each character with the font's own glyph, without shaping or a fallback font. A part whose text holds
a character DejaVu Sans has no glyph for (Chinese, say), or a script that must be shaped or runs right to left
(Arabic, Hebrew), is laid out by WeasyPrint instead, from records/production_part_pdf.html, as before: slower,
but Pango shapes the text and fontconfig finds a font for it. ``drawable`` decides; ``render`` does either.

It takes and returns plain values and needs nothing of Django, so the parts of a production can be drawn in other
processes at once (records/package.py). The caller translates the words it prints.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PAGE_MARGIN = 10.0      # mm, left and right
TOP, FOOT = 12.0, 16.0  # mm: the top margin, and the room kept at the foot for the footer
PAD_X, PAD_Y = 0.7, 0.45  # mm inside each cell
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts")


@dataclass(frozen=True)
class Words:
    """What a part prints besides the records, already translated."""

    confidential: str = "CONFIDENTIAL"
    page: str = "page"
    continued: str = "continued"


@lru_cache(maxsize=None)
def _font_file(name: str, style: str) -> str:
    for folder in FONT_DIRS:
        path = Path(folder) / name
        if path.is_file():
            return str(path)
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", f"DejaVu Sans:style={style}"], capture_output=True,
                               text=True, check=False).stdout.strip()
        if found.endswith(".ttf") and Path(found).is_file():
            return found
    raise RuntimeError(f"The font {name} is missing: install Debian's fonts-dejavu-core (./run setup does).")


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    """The characters both faces of the font draw."""
    from fontTools.ttLib import TTFont

    faces = [TTFont(_font_file(name, style)).getBestCmap() for name, style in
             (("DejaVuSans.ttf", "Book"), ("DejaVuSans-Bold.ttf", "Bold"))]
    return frozenset(faces[0]) & frozenset(faces[1])


_NEEDS_SHAPING = {"R", "AL", "AN"}  # right-to-left letters and Arabic digits


def drawable(texts) -> bool:
    """Whether every character of ``texts`` can be drawn here as it is (else WeasyPrint lays the part out)."""
    glyphs = _glyphs()
    for text in texts:
        if text.isascii():
            continue
        for char in text:
            code = ord(char)
            if code < 128:
                continue
            if code not in glyphs or unicodedata.bidirectional(char) in _NEEDS_SHAPING or (
                    code > 0x36F and unicodedata.combining(char)):
                return False
    return True


def render(job: dict) -> bytes:
    """A part's PDF from what records/package.py prepared: drawn here, or an HTML document for WeasyPrint."""
    if "html" in job:
        from closedstacks.documents.pdf import html_to_pdf

        return html_to_pdf(job["html"])
    return render_part(**job)


def render_part(*, heading: str, footer_kind: str, headers: list[str], rows: list[list[str]],
                words: Words = Words()) -> bytes:
    """The PDF of one part: ``rows`` (each a list of strings, the Bates number first) under ``headers``."""
    from fpdf import FPDF

    class _Part(FPDF):
        spans: dict[int, list[str]]  # page number → the Bates numbers drawn on it, for its footer

        def footer(self) -> None:
            numbers = self.spans.get(self.page_no(), [])
            self.set_y(-FOOT + 4)
            self.set_font("body", "B", 8)
            self.cell(0, 5, words.confidential, align="L")
            self.set_x(self.l_margin)
            self.set_font("body", "", 7)
            self.cell(0, 5, f"{footer_kind} · {words.page} {self.page_no()} / {{nb}}", align="C")
            self.set_x(self.l_margin)
            self.set_font("body", "B", 8)
            if numbers:
                self.cell(0, 5, f"{numbers[0]} – {numbers[-1]}", align="R")

    pdf = _Part(orientation="L", unit="mm", format="letter")
    pdf.spans = {}
    pdf.add_font("body", "", _font_file("DejaVuSans.ttf", "Book"))
    pdf.add_font("body", "B", _font_file("DejaVuSans-Bold.ttf", "Bold"))
    pdf.set_margins(PAGE_MARGIN, TOP, PAGE_MARGIN)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    table = _Table(pdf, headers, rows, size=6.2 if len(headers) > 9 else 7.2, continued=words.continued)
    pdf.set_font("body", "B", 11)
    pdf.multi_cell(0, 5.5, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    table.draw()
    return bytes(pdf.output())


class _Table:
    def __init__(self, pdf, headers: list[str], rows: list[list[str]], *, size: float, continued: str):
        self.pdf, self.headers, self.rows, self.size, self.continued = pdf, headers, rows, size, continued
        self.line = size * 0.3528 * 1.22  # the height of a line of text, in mm
        self.width = pdf.w - 2 * PAGE_MARGIN
        self.widths = self._widths()

    def _font(self, column: int, heading: bool = False) -> None:
        self.pdf.set_font("body", "B" if heading or column == 0 else "", self.size)

    def _widths(self) -> list[float]:
        """At least the longest word, at most the longest value (headers included), the room left shared out."""
        measure = self.pdf.get_string_width
        least, most = [], []
        for column, header in enumerate(self.headers):
            self._font(column, heading=True)
            low = max((measure(word) for word in header.split()), default=0.0)
            high = measure(header)
            self._font(column)
            for row in self.rows:
                value = row[column] if column < len(row) else ""
                if not value:
                    continue
                whole = max(measure(piece) for piece in value.splitlines()) if "\n" in value else measure(value)
                if whole > high:
                    high = whole
                if whole > low:  # only then can its longest word be longer than the column's
                    words = value.split()
                    low = max(low, whole if len(words) < 2 else max(measure(word) for word in words))
            least.append(low + 2 * PAD_X + 0.3)
            most.append(max(high, low) + 2 * PAD_X + 0.3)
        if sum(most) <= self.width:
            return [w * self.width / sum(most) for w in most]
        if sum(least) <= self.width:
            # The room left goes first to the columns that need least to show whole (a date, a branch), then
            # evenly to the rest: one long title never takes the room that keeps every date on one line.
            widths, spare = list(least), self.width - sum(least)
            wanting = sorted(range(len(most)), key=lambda c: most[c] - least[c])
            for left, column in zip(range(len(wanting), 0, -1), wanting):
                given = min(most[column] - least[column], spare / left)
                widths[column] += given
                spare -= given
            return widths
        return [n * self.width / sum(least) for n in least]  # too many columns: long words break

    def _wrap(self, text: str, width: float) -> list[str]:
        room = width - 2 * PAD_X
        measure = self.pdf.get_string_width
        if "\n" not in text and measure(text) <= room:
            return [text]
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for word in paragraph.split(" "):
                tried = f"{line} {word}" if line else word
                if measure(tried) <= room:
                    line = tried
                    continue
                if line:
                    lines.append(line)
                while measure(word) > room and len(word) > 1:  # a word wider than its column breaks
                    cut = len(word) - 1
                    while cut > 1 and measure(word[:cut]) > room:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        return lines

    def _cells(self, values: list[str], heading: bool = False) -> list[list[str]]:
        cells = []
        for column, width in enumerate(self.widths):
            self._font(column, heading)
            cells.append(self._wrap(values[column] if column < len(values) else "", width))
        return cells

    def _put(self, cells: list[list[str]], start: int, count: int, heading: bool = False) -> None:
        """Lines ``start`` to ``start + count`` of a row's cells, at the current position."""
        pdf = self.pdf
        x, y = pdf.l_margin, pdf.get_y()
        height = count * self.line + 2 * PAD_Y
        if heading:
            pdf.set_fill_color(235, 235, 235)
            pdf.rect(x, y, self.width, height, style="F")
        pdf.set_draw_color(136, 136, 136)
        pdf.set_line_width(0.15)
        for column, (lines, width) in enumerate(zip(cells, self.widths)):
            pdf.rect(x, y, width, height)
            self._font(column, heading)
            shown = lines[start:start + count]
            if start and column == 0:  # a record going on from the page before: its Bates number again
                shown = [lines[0], f"({self.continued})", *shown[2:]] if not any(shown) else shown
            for n, text in enumerate(shown):
                if text:
                    pdf.text(x + PAD_X, y + PAD_Y + (n + 0.8) * self.line, text)
            x += width
        pdf.set_y(y + height)

    def _room(self) -> int:
        """How many lines of a row fit on the rest of this page."""
        return int((self.pdf.h - FOOT - self.pdf.get_y() - 2 * PAD_Y) // self.line)

    def _new_page(self, head: list[list[str]]) -> None:
        self.pdf.add_page()
        self._put(head, 0, max(len(lines) for lines in head), heading=True)

    def draw(self) -> None:
        pdf = self.pdf
        head = self._cells(self.headers, heading=True)
        head_height = max(len(lines) for lines in head) * self.line + 2 * PAD_Y
        full = int((pdf.h - FOOT - TOP - head_height - 2 * PAD_Y) // self.line)  # lines on a page of its own
        self._put(head, 0, max(len(lines) for lines in head), heading=True)
        for row in self.rows:
            cells = self._cells(row)
            tall, done = max(len(lines) for lines in cells), 0
            if tall > self._room() and (tall <= full or self._room() < 3):
                self._new_page(head)  # a record that fits on a page is never split across two
            while done < tall:
                if self._room() < 1:
                    self._new_page(head)
                count = min(tall - done, self._room())
                self._put(cells, done, count)
                pdf.spans.setdefault(pdf.page_no(), []).append(row[0] if row else "")
                done += count
