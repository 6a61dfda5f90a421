"""Uploads are parsed, not glanced at: a PDF with active content (JavaScript, launch, open and additional actions,
embedded files, XFA), any file that is two in one (content before or after the document, a ZIP inside it), a
damaged or password-protected file or a decompression bomb is refused with a message naming what is wrong, and
nothing is stored — no StoredFile, no file on disk. Plain PDFs (incremental updates included), PNGs and JPEGs
(multi-picture ones included) are accepted. At the service (documents.uploads) and through the desk's form and a
matter's "attach the instrument" step."""

from __future__ import annotations

import html
import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from closedstacks.documents import uploads
from closedstacks.documents.models import StoredFile
from closedstacks.documents.uploads import UploadRefused
from closedstacks.matters.models import Instrument, Matter
from tests.procedure import matter_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("officer_configured")]

ADVICE = "Closed Stacks keeps only plain documents"


# --- building files --------------------------------------------------------------------------------------------


def raw_pdf(*bodies: bytes, header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") -> bytes:
    """A PDF of these objects (1 the catalogue), with its cross-reference table, written out by hand."""
    out, offsets = header, []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)


def page_pdf(catalog: bytes = b"", page: bytes = b"", *more: bytes) -> bytes:
    """One page; ``catalog`` and ``page`` add entries to those dictionaries, ``more`` are objects 4, 5, …"""
    return raw_pdf(b"<</Type/Catalog/Pages 2 0 R" + catalog + b">>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
                   b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]" + page + b">>", *more)


def stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<<%s/Length %d>>stream\n%s\nendstream" % (entries, len(data), data)


def updated(base: bytes, number: int, body: bytes, *, between: bytes = b"") -> bytes:
    """``base`` with an incremental update appended: object ``number`` (new or changed), its own cross-reference
    section and a trailer pointing back (/Prev) to the one before."""
    previous = int(base[base.rindex(b"startxref") + 9:base.rindex(b"%%EOF")].strip())
    size = int(PdfReader(io.BytesIO(base)).trailer["/Size"])
    out = base + between
    offset = len(out)
    out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<</Size %d/Root 1 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (max(size, number + 1), previous,
                                                                                    xref)
    return out


def object_stream_pdf(catalog: bytes = b"", *hidden: bytes) -> bytes:
    """The catalogue (1) and ``hidden`` (4, 5, …) compressed in an object stream, with a cross-reference stream:
    what a raw look at the bytes cannot see into."""
    members = [b"<</Type/Catalog/Pages 2 0 R" + catalog + b">>", *hidden]
    numbers = [1] + list(range(4, 4 + len(hidden)))
    heads, parts, at = [], [], 0
    for number, body in zip(numbers, members):
        heads.append(b"%d %d" % (number, at))
        parts.append(body + b" ")
        at += len(body) + 1
    head = b" ".join(heads) + b" "
    packed = zlib.compress(head + b"".join(parts))
    stm = 4 + len(hidden)
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = {}
    for number, body in ((2, b"<</Type/Pages/Kids[3 0 R]/Count 1>>"),
                         (3, b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"),
                         (stm, stream(packed, b"/Type/ObjStm/N %d/First %d/Filter/FlateDecode" % (len(members),
                                                                                                len(head))))):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_number = stm + 1
    offsets[xref_number] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    for number in range(1, xref_number + 1):
        if number in offsets:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
        else:
            rows.append(struct.pack(">BIH", 2, stm, numbers.index(number)))
    table = b"".join(rows)
    out += b"%d 0 obj\n%s\nendobj\n" % (xref_number, stream(
        table, b"/Type/XRef/Size %d/W[1 4 2]/Root 1 0 R" % (xref_number + 1)))
    return out + b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    return writer


def a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


def image(fmt: str, size=(120, 80), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, fmt, **options)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def with_js_writer() -> bytes:
    writer = blank_writer()
    writer.add_open_action(JavaScript("app.alert('hello');"))  # the document-level JavaScript name tree
    return written(writer)


def open_action_writer(action: dict) -> bytes:
    writer = blank_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject(k): (NameObject(v) if v.startswith("/") else TextStringObject(v)) for k, v in action.items()})
    return written(writer)


def page_action_writer() -> bytes:
    writer = blank_writer()
    writer.pages[0].add_action(PageTrigger.OPEN, JavaScript("app.alert('page');"))
    return written(writer)


def attachment_writer() -> bytes:
    writer = blank_writer()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    return written(writer)


def password_writer() -> bytes:
    writer = blank_writer()
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    return written(writer)


def empty_password_writer(*, with_js: bool = False) -> bytes:
    """Encrypted with an empty user password (permissions only), as court e-filing systems often send them."""
    writer = blank_writer()
    if with_js:
        writer.add_open_action(JavaScript("app.alert('hello');"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    return written(writer)


def weasyprint_pdf() -> bytes:
    import weasyprint

    return weasyprint.HTML(string="<h1>Subpoena</h1><p>See <a href='https://example.org'>the court</a>.</p>",
                           url_fetcher=None).write_pdf()


def zip_in_a_stream() -> bytes:
    """A ZIP kept whole in a stream near the end, where ZIP readers look for it: valid PDF and valid ZIP."""
    return page_pdf(b"", b"", stream(a_zip()))


def png_with_zip_in_a_chunk() -> bytes:
    png = image("PNG")
    archive = bytearray(a_zip())
    archive[-2:] = struct.pack("<H", 12)  # the archive's comment runs over IEND, to the end of the file
    return png[:-12] + png_chunk(b"tEXt", b"note\x00" + bytes(archive)) + png[-12:]


def bad_crc_png() -> bytes:
    png = bytearray(image("PNG"))
    png[30] ^= 0xFF  # inside IHDR's data
    return bytes(png)


def pixel_bomb_png() -> bytes:
    out = io.BytesIO()
    Image.new("1", (10_000, 8_000)).save(out, "PNG")  # a few kilobytes that would unpack to 80 million pixels
    return out.getvalue()


def multi_picture_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "red").save(out, "MPO", save_all=True,
                                             append_images=[Image.new("L", (50, 25), 128)])
    return out.getvalue()


PLAIN = page_pdf()

REFUSED = {
    # active content
    "JavaScript in the names tree (pypdf)": (with_js_writer, "pdf", ["contains JavaScript", ADVICE]),
    "JavaScript in the names tree": (lambda: page_pdf(b"/Names<</JavaScript<</Names[(go) 4 0 R]>>>>", b"",
                                                      b"<</S/JavaScript/JS(app.alert(1))>>"),
                                     "pdf", ["contains JavaScript"]),
    "JavaScript open action, names #-escaped": (lambda: page_pdf(b"/OpenAction 4 0 R", b"",
                                                                b"<</S/J#61vaScript/J#53(app.alert(1))>>"),
                                                "pdf", ["contains JavaScript", "as soon as it is opened"]),
    "launch open action": (lambda: open_action_writer({"/S": "/Launch", "/F": "calc.exe"}), "pdf",
                           ["starts a program or opens another file", "as soon as it is opened"]),
    "launch action on a link": (lambda: page_pdf(b"", b"/Annots[4 0 R]",
                                                 b"<</Type/Annot/Subtype/Link/Rect[0 0 99 99]"
                                                 b"/A<</S/Launch/F(cmd.exe)>>>>"),
                                "pdf", ["starts a program or opens another file"]),
    "open action (print)": (lambda: page_pdf(b"/OpenAction<</S/Named/N/Print>>"), "pdf",
                            ["runs an action as soon as it is opened"]),
    "additional actions on the document": (lambda: page_pdf(b"/AA<</WC<</S/GoTo/D[3 0 R/Fit]>>>>"), "pdf",
                                           ["runs actions when a page or a field is opened"]),
    "additional actions on a page": (lambda: page_pdf(b"", b"/AA<</O<</S/GoTo/D[3 0 R/Fit]>>>>"), "pdf",
                                     ["runs actions when a page or a field is opened"]),
    "JavaScript page action (pypdf)": (page_action_writer, "pdf", ["contains JavaScript", "a page or a field"]),
    "embedded file (pypdf)": (attachment_writer, "pdf", ["other files embedded in it"]),
    "file attachment annotation": (lambda: page_pdf(b"", b"/Annots[4 0 R]",
                                                    b"<</Type/Annot/Subtype/FileAttachment/Rect[0 0 9 9]/FS 5 0 R>>",
                                                    b"<</Type/Filespec/F(a.exe)/EF<</F 6 0 R>>>>",
                                                    stream(b"MZ", b"/Type/EmbeddedFile")),
                                   "pdf", ["other files embedded in it"]),
    "XFA form": (lambda: page_pdf(b"/AcroForm<</Fields[]/XFA 4 0 R>>", b"", stream(b"<xdp:xdp/>")), "pdf",
                 ["XFA form"]),
    "form that submits": (lambda: page_pdf(b"", b"/Annots[4 0 R]", b"<</Type/Annot/Subtype/Link/Rect[0 0 9 9]"
                                                                   b"/A<</S/SubmitForm/F(https://x.example)>>>>"),
                          "pdf", ["sends or imports data"]),
    "JavaScript hidden in a compressed object stream": (
        lambda: object_stream_pdf(b"/Names<</JavaScript<</Names[(go) 4 0 R]>>>>", b"<</S/JavaScript/JS(x)>>"),
        "pdf", ["contains JavaScript"]),
    "JavaScript in an incremental update": (lambda: updated(PLAIN, 1, b"<</Type/Catalog/Pages 2 0 R"
                                                                      b"/OpenAction<</S/JavaScript/JS(x)>>>>"),
                                            "pdf", ["contains JavaScript"]),
    "JavaScript only in a superseded revision": (
        lambda: updated(page_pdf(b"/OpenAction<</S/JavaScript/JS(x)>>"), 1, b"<</Type/Catalog/Pages 2 0 R>>"),
        "pdf", ["contains JavaScript"]),
    # two files in one
    "HTML before the PDF": (lambda: b"<html><script>alert(1)</script></html>\n" + PLAIN, "pdf",
                            ["other content before the PDF begins"]),
    "HTML after the last %%EOF": (lambda: PLAIN + b"<html><script>alert(1)</script></html>", "pdf",
                                  ["other content after the end of the PDF"]),
    "ZIP appended": (lambda: PLAIN + a_zip(), "pdf", ["other content after the end of the PDF"]),
    "ZIP appended, then a made-up %%EOF": (lambda: PLAIN + a_zip() + b"\n%%EOF\n", "pdf",
                                           ["other content mixed into the PDF"]),
    "ZIP before a genuine-looking update": (lambda: updated(PLAIN, 4, b"<</Title(x)>>", between=a_zip()), "pdf",
                                            ["other content mixed into the PDF"]),
    "a second PDF appended": (lambda: PLAIN + PLAIN, "pdf", ["second PDF inside it"]),
    "a ZIP kept whole in a stream": (zip_in_a_stream, "pdf", ["ZIP archive hidden inside the PDF"]),
    "bytes between objects, cross-references right": (
        lambda: page_pdf(b"", b"", b"<</Title(x)>>\nendobj\nMZ\x90\x00 not PDF at all"), "pdf",
        ["other content mixed into the PDF"]),
    "bytes between objects, cross-references off": (
        lambda: PLAIN.replace(b"endobj\n2 0 obj", b"endobj\nMZ\x90\x00\n2 0 obj"), "pdf",
        ["other content mixed into the PDF"]),
    "HTML before a PNG": (lambda: b"<html>" + image("PNG"), "png", ["other content before the PNG begins"]),
    "bytes after IEND": (lambda: image("PNG") + b"<script>alert(1)</script>", "png",
                         ["other content after the end of the PNG image"]),
    "ZIP after IEND": (lambda: image("PNG") + a_zip(), "png", ["other content after the end of the PNG image"]),
    "ZIP inside a PNG chunk": (png_with_zip_in_a_chunk, "png", ["ZIP archive hidden inside the PNG"]),
    "HTML after the JPEG's EOI": (lambda: image("JPEG") + b"<html><script>alert(1)</script>", "jpg",
                                  ["other content after the end of the JPEG image"]),
    "ZIP after the JPEG's EOI": (lambda: image("JPEG") + a_zip(), "jpg",
                                 ["other content after the end of the JPEG image"]),
    "bytes after a multi-picture JPEG": (lambda: multi_picture_jpeg() + b"x", "jpg",
                                         ["other content after the end of the JPEG image"]),
    # unreadable, protected, bombs
    "a truncated PDF": (lambda: PLAIN[:150] + b"\n%%EOF\n", "pdf", ["cannot be read"]),
    "a PDF with no pages": (lambda: raw_pdf(b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"),
                            "pdf", ["has no pages"]),
    "a PDF protected by a password": (password_writer, "pdf", ["protected by a password"]),
    "JavaScript in a PDF encrypted with an empty password": (lambda: empty_password_writer(with_js=True), "pdf",
                                                             ["contains JavaScript"]),
    "a PNG with a wrong CRC": (bad_crc_png, "png", ["damaged or is not really a PNG"]),
    "a truncated JPEG": (lambda: image("JPEG")[:300], "jpg", ["damaged or is not really a JPEG"]),
    "a PNG of 80 million pixels": (pixel_bomb_png, "png", ["10000 × 8000 pixels, more than Closed Stacks will read"]),
}

ACCEPTED = {
    "a plain PDF written by hand": (lambda: PLAIN, "pdf"),
    "a PDF written by pypdf": (lambda: written(blank_writer()), "pdf"),
    "a scan saved as PDF by Pillow": (lambda: image("PDF", size=(850, 1100)), "pdf"),
    "a PDF written by WeasyPrint, with a link": (weasyprint_pdf, "pdf"),
    "a PDF encrypted with an empty password": (empty_password_writer, "pdf"),
    "an incremental update (by hand)": (lambda: updated(PLAIN, 4, b"<</Title(Amended)>>"), "pdf"),
    "two incremental updates (pypdf)": (lambda: incrementally_updated_twice(), "pdf"),
    "an object stream and a cross-reference stream": (lambda: object_stream_pdf(b"", b"<</Title(x)>>"), "pdf"),
    "whitespace and NULs after %%EOF": (lambda: PLAIN + b"\r\n\x00\x00 \n", "pdf"),
    "a link to a web page and an open action that shows page 1": (
        lambda: page_pdf(b"/OpenAction<</S/GoTo/D[3 0 R/Fit]>>", b"/Annots[4 0 R]",
                         b"<</Type/Annot/Subtype/Link/Rect[0 0 9 9]/A<</S/URI/URI(https://example.org)>>>>"), "pdf"),
    "an open action that is a destination": (lambda: page_pdf(b"/OpenAction[3 0 R/Fit]"), "pdf"),
    "a PNG": (lambda: image("PNG"), "png"),
    "a JPEG": (lambda: image("JPEG"), "jpg"),
    "a progressive JPEG": (lambda: image("JPEG", progressive=True), "jpg"),
    "a phone's multi-picture JPEG (MPF)": (multi_picture_jpeg, "jpg"),
}


def incrementally_updated_twice() -> bytes:
    once = PdfWriter(io.BytesIO(written(blank_writer())), incremental=True)
    once.add_metadata({"/Title": "Amended"})
    twice = PdfWriter(io.BytesIO(written(once)), incremental=True)
    twice.add_blank_page(612, 792)
    data = written(twice)
    assert data.count(b"%%EOF") == 3
    return data


# --- at the service -------------------------------------------------------------------------------------------


@pytest.fixture
def disk(settings, tmp_path):
    """Stored files go under tmp_path; returns a function listing what is there."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    return lambda: sorted(p for p in tmp_path.rglob("*") if p.is_file())


def upload(data: bytes, extension: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"instrument.{extension}", data)


def assert_says(message: str, words: list[str]) -> None:
    assert all(w in message for w in words), message


@pytest.mark.parametrize("case", list(REFUSED))
def test_the_service_refuses_and_stores_nothing(case, accounts, disk):
    make, extension, words = REFUSED[case]
    data = make()
    with pytest.raises(UploadRefused) as refused:
        uploads.check(upload(data, extension))
    assert_says(str(refused.value), words)
    with pytest.raises(UploadRefused):
        uploads.store(upload(data, extension), by=accounts["officer"])
    assert not StoredFile.objects.exists() and disk() == []


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_the_service_accepts_plain_documents(case, accounts, disk):
    make, extension = ACCEPTED[case]
    data = make()
    content_type, checked = uploads.check(upload(data, extension))
    assert checked == data and content_type == {"pdf": "application/pdf", "png": "image/png",
                                                 "jpg": "image/jpeg"}[extension]
    stored = uploads.store(upload(data, extension), by=accounts["officer"])
    assert StoredFile.objects.get() == stored and uploads.read(stored) == data and len(disk()) == 1


def test_a_decompression_bomb_in_an_object_stream_is_refused(accounts, disk):
    """An object stream that would inflate to 80 MB: pypdf stops at its limit, and the file is refused."""
    bomb = bomb_pdf(zlib.compress(b"4 0 <<>> " + bytes(80_000_000), 9))
    assert len(bomb) < 200_000
    with pytest.raises(UploadRefused) as refused:
        uploads.check(upload(bomb, "pdf"))
    assert "expands to more than Closed Stacks will read" in str(refused.value)
    assert not StoredFile.objects.exists() and disk() == []


def bomb_pdf(packed: bytes) -> bytes:
    """Object 4 (the catalogue's /Names) lives in object stream 5, ``packed``; a cross-reference stream says so."""
    out = b"%PDF-1.7\n"
    offsets = {}
    for number, body in ((1, b"<</Type/Catalog/Pages 2 0 R/Names 4 0 R>>"),
                         (2, b"<</Type/Pages/Kids[3 0 R]/Count 1>>"),
                         (3, b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"),
                         (5, stream(packed, b"/Type/ObjStm/N 1/First 4/Filter/FlateDecode"))):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[6] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)] + [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3)]
    rows += [struct.pack(">BIH", 2, 5, 0)] + [struct.pack(">BIH", 1, offsets[n], 0) for n in (5, 6)]
    out += b"6 0 obj\n%s\nendobj\n" % stream(b"".join(rows), b"/Type/XRef/Size 7/W[1 4 2]/Root 1 0 R")
    return out + b"startxref\n%d\n%%%%EOF\n" % offsets[6]


# --- through the pages --------------------------------------------------------------------------------------------

DESK = {"requester_name": "Det. Casey Smith", "requester_agency": "Example PD", "requester_id": "4471",
        "requester_contact": "555-0100", "channel": "in_person", "request_text": "Who borrowed the chemistry book?"}

THROUGH_THE_PAGES = ["JavaScript in the names tree (pypdf)", "launch open action", "additional actions on a page",
                     "embedded file (pypdf)", "XFA form", "HTML before the PDF", "ZIP appended",
                     "ZIP appended, then a made-up %%EOF", "bytes after IEND", "ZIP after the JPEG's EOI",
                     "a PDF protected by a password"]


def shown(response, words: list[str]) -> None:
    page = html.unescape(response.content.decode())
    assert_says(page, words)


@pytest.mark.parametrize("case", THROUGH_THE_PAGES)
def test_the_desk_form_refuses_and_stores_nothing(case, client_for, disk):
    make, extension, words = REFUSED[case]
    response = client_for("staff").post("/inquiries/new/", {**DESK, "document": upload(make(), extension)})
    assert response.status_code == 400
    shown(response, words)
    assert not Matter.objects.exists() and not StoredFile.objects.exists() and disk() == []


def attach_form(matter, data: bytes, extension: str) -> dict:
    return {"version": matter.version, "type": "subpoena_duces_tecum",
            "issuing_authority": "Superior Court of Example County", "case_number": "CR-2026-118",
            "record_kinds": ["past_loans"], "designated-TOTAL_FORMS": "1", "designated-INITIAL_FORMS": "0",
            "designated-0-identifier_type": "card", "designated-0-value": "21000000123",
            "file": upload(data, extension)}


@pytest.mark.parametrize("case", THROUGH_THE_PAGES)
def test_attaching_an_instrument_refuses_and_stores_nothing(case, accounts, client_for, disk):
    matter = matter_at("explained", accounts)
    make, extension, words = REFUSED[case]
    response = client_for("director").post(f"/matters/{matter.reference}/act/attach_instrument/",
                                           attach_form(matter, make(), extension))
    assert response.status_code == 400
    shown(response, words)
    matter.refresh_from_db()
    assert matter.state == "explained" and not Instrument.objects.filter(matter=matter).exists()
    assert not StoredFile.objects.exists() and disk() == []


@pytest.mark.parametrize("case", ["an incremental update (by hand)", "two incremental updates (pypdf)", "a PNG",
                                  "a phone's multi-picture JPEG (MPF)"])
def test_attaching_a_plain_instrument_stores_it(case, accounts, client_for, disk):
    matter = matter_at("explained", accounts)
    make, extension = ACCEPTED[case]
    data = make()
    response = client_for("director").post(f"/matters/{matter.reference}/act/attach_instrument/",
                                           attach_form(matter, data, extension))
    assert response.status_code == 302, html.unescape(response.content.decode())[-2000:]
    matter.refresh_from_db()
    assert matter.state == "received"
    assert uploads.read(Instrument.objects.get(matter=matter).file) == data and len(disk()) == 1


def test_the_desk_form_accepts_a_pdf_with_an_incremental_update(client_for, disk):
    data = ACCEPTED["an incremental update (by hand)"][0]()
    response = client_for("staff").post("/inquiries/new/", {**DESK, "document": upload(data, "pdf")})
    assert response.status_code == 302
    assert uploads.read(Matter.objects.get().desk_document) == data and len(disk()) == 1
