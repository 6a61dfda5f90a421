"""The instrument beside the step: its pages drawn on the server as pictures, for the people on the matter only,
each page looked at on the trail; the file itself never reaches the browser this way."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from closedstacks.audit.models import AuditEntry
from closedstacks.documents.pdf import html_to_pdf
from closedstacks.matters.procedure import perform
from tests.procedure import matter_at

pytestmark = pytest.mark.django_db

TWO_PAGES = html_to_pdf(
    "<html><head><style>@page { margin: 0 }</style></head><body style='margin:0'>"
    "<div style='height:20cm;background:#000;color:#fff;font-size:40pt'>"
    "SUBPOENA DUCES TECUM</div><p style='break-before:page'>Page two</p></body></html>")


def _in_review_with(accounts, data: bytes, name: str, content_type: str):
    matter = matter_at("received", accounts)
    matter = perform(matter, "assign_counsel", by=accounts["director"],
                     counsel=accounts["counsel"])
    instrument = matter.current_instrument()
    from closedstacks.documents import uploads

    instrument.file = uploads.store(SimpleUploadedFile(name, data, content_type=content_type), by=accounts["director"])
    instrument.save()
    return matter, instrument.file


def _picture(response) -> Image.Image:
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def test_counsel_reviews_with_every_page_of_the_instrument_beside_the_checklist(accounts, client_for):
    matter, stored = _in_review_with(accounts, TWO_PAGES, "subpoena.pdf", "application/pdf")
    counsel = client_for("counsel")
    page = counsel.get(f"/matters/{matter.reference}/act/determine/").content.decode()
    assert 'class="document-viewer"' in page
    assert f"/matters/{matter.reference}/documents/{stored.pk}/pages/1.png" in page
    assert f"/matters/{matter.reference}/documents/{stored.pk}/pages/2.png" in page
    assert "/pages/3.png" not in page
    assert page.index("document-viewer") > page.index("<form")  # the checklist first, the instrument beside it

    first = counsel.get(f"/matters/{matter.reference}/documents/{stored.pk}/pages/1.png")
    assert first["Content-Disposition"] == "inline" and first["X-Content-Type-Options"] == "nosniff"
    assert first["Cache-Control"] == "no-store" and "sandbox" in first["Content-Security-Policy"]
    image = _picture(first).convert("L")
    assert image.width == 1100
    # The first page is the black block the PDF draws: the picture is of the page, not a blank.
    assert image.getpixel((image.width // 2, image.height // 4)) < 40
    second = _picture(counsel.get(f"/matters/{matter.reference}/documents/{stored.pk}/pages/2.png")).convert("L")
    assert second.getpixel((second.width // 2, second.height // 2)) > 200
    assert counsel.get(f"/matters/{matter.reference}/documents/{stored.pk}/pages/3.png").status_code == 404
    assert counsel.get(f"/matters/{matter.reference}/documents/{stored.pk}/pages/0.png").status_code == 404

    viewed = AuditEntry.objects.filter(action="matter.document_viewed").order_by("pk")
    assert [e.details_data["page"] for e in viewed] == [1, 2]
    assert all(e.details_data["file"] == stored.sha256 for e in viewed)


def test_only_the_people_on_the_matter_see_its_pages(accounts, client_for):
    matter, stored = _in_review_with(accounts, TWO_PAGES, "subpoena.pdf", "application/pdf")
    url = f"/matters/{matter.reference}/documents/{stored.pk}/pages/1.png"
    for outsider in ("staff", "auditor", "admin", "custodian"):
        assert client_for(outsider).get(url).status_code in (403, 404), outsider
    # A file of another matter is not reached through this one.
    other, elsewhere = _in_review_with(accounts, TWO_PAGES, "other.pdf", "application/pdf")
    assert client_for("counsel").get(
        f"/matters/{matter.reference}/documents/{elsewhere.pk}/pages/1.png").status_code == 404
    assert not AuditEntry.objects.filter(action="matter.document_viewed").exists()


def test_an_image_instrument_is_drawn_again_without_what_it_carried(accounts, client_for):
    photo = Image.new("RGB", (2400, 1200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010E] = "taken at 12 Elm Street"  # ImageDescription
    raw = io.BytesIO()
    photo.save(raw, format="JPEG", exif=exif)
    assert b"12 Elm Street" in raw.getvalue()
    matter, stored = _in_review_with(accounts, raw.getvalue(), "warrant.jpg", "image/jpeg")
    response = client_for("counsel").get(f"/matters/{matter.reference}/documents/{stored.pk}/pages/1.png")
    assert b"12 Elm Street" not in response.content
    image = _picture(response)
    assert image.size == (1100, 550)
    assert image.convert("RGB").getpixel((10, 10))[0] > 150
    assert client_for("counsel").get(
        f"/matters/{matter.reference}/documents/{stored.pk}/pages/2.png").status_code == 404


def test_a_step_without_a_viewable_instrument_has_no_viewer(accounts, client_for):
    matter = matter_at("in_review", accounts)  # its instrument came with no file
    page = client_for("counsel").get(f"/matters/{matter.reference}/act/determine/").content.decode()
    assert "document-viewer" not in page and "<form" in page
