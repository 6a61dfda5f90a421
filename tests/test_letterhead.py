"""Letters go out on the library's letterhead — its name and postal address — with no product footer; a threat's
receipt tells the reporter what to do if anyone is in danger now, in the library's words or the standard ones."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from closedstacks.audit.models import AuditEntry
from closedstacks.incidents.services import report
from closedstacks.library import letterhead
from closedstacks.library.models import LibraryProfile, PolicyVersion
from closedstacks.library.starter import POLICY_TEXT, STARTER_WARNING
from closedstacks.matters.procedure import perform
from tests.conftest import pdf_text
from tests.procedure import matter_at

ADDRESS = "Harbour Street Branch\n12 Harbour Street\nExampleton, EX 01234"


def _profile(**fields):
    profile = LibraryProfile.current()
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def test_a_letter_carries_the_postal_address_and_no_product_footer(accounts, client_for):
    _profile(name="Exampleton Public Library", postal_address=ADDRESS)
    matter = matter_at("defective", accounts)
    text = " ".join(pdf_text(client_for("director").get(f"/matters/{matter.reference}/letters/defects.pdf")
                             .content).split())
    assert "Exampleton Public Library" in text
    for line in ADDRESS.splitlines():
        assert line in text
    assert "Closed Stacks" not in text
    assert f"Reference {matter.reference}" in text


def test_a_threats_receipt_says_what_to_do_if_anyone_is_in_danger_now(accounts, client_for):
    threat = report(by=accounts["staff"], kind="threat", what="A man said he would wait for me after closing.")
    other = report(by=accounts["staff"], kind="privacy_problem", what="A notice went to the wrong address.")
    desk = client_for("staff")
    assert "call emergency services" in desk.get(f"/reports/{threat.pk}/").content.decode()
    assert "call emergency services" not in desk.get(f"/reports/{other.pk}/").content.decode()
    _profile(danger_now_text="Call 999, then the branch manager on 0100.")
    page = desk.get(f"/reports/{threat.pk}/").content.decode()
    assert "Call 999, then the branch manager on 0100." in page and "call emergency services" not in page


def _letter(client, matter, kind: str) -> bytes:
    response = client.get(f"/matters/{matter.reference}/letters/{kind}.pdf")
    assert response.status_code == 200
    return response.content


def _words(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


def _images(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data))
    return sum(len(page.images) for page in reader.pages)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 80), "navy").save(out, "PNG")
    return out.getvalue()


def test_the_logo_heads_every_letter_once_the_library_uploads_one(accounts, client_for):
    officer = client_for("officer")
    matter = matter_at("explained", accounts)
    assert _images(_letter(officer, matter, "explanation")) == 0
    admin = client_for("admin")
    fake = SimpleUploadedFile("logo.png", b"GIF89a not a png", content_type="image/png")
    admin.post("/library/logo/", {"logo": fake})
    assert LibraryProfile.current().logo_id is None  # refused, nothing stored
    admin.post("/library/logo/", {"logo": SimpleUploadedFile("logo.png", _png(), content_type="image/png")})
    assert LibraryProfile.current().logo_id is not None
    assert AuditEntry.objects.filter(action="library.logo_changed").count() == 1
    assert _images(_letter(officer, matter, "explanation")) >= 1
    assert "Logo on the letters" in admin.get("/library/").content.decode()
    admin.post("/library/logo/", {"remove": "yes"})
    assert LibraryProfile.current().logo_id is None and _images(_letter(officer, matter, "explanation")) == 0


def test_letters_are_signed_and_never_print_the_starter_texts_warning(accounts, client_for):
    _profile(name="Exampleton Public Library", signature_title="Privacy Officer")
    officer = client_for("officer")
    matter = matter_at("explained", accounts)
    assert PolicyVersion.current().text.startswith(STARTER_WARNING)  # the library has not adapted it yet
    declined = perform(matter_at("explained", accounts), "decline", by=accounts["officer"])
    for kind, on in (("explanation", matter), ("decline", declined)):
        text = _words(_letter(officer, on, kind))
        assert "Sincerely," in text and "Privacy Officer Exampleton Public Library" in text
        assert accounts["officer"].display_name in text
        assert "This is a starting text" not in text, kind
        assert "What we keep confidential" in text or kind == "decline"
    # The editor, and the staff's own page, still show it.
    assert "This is a starting text" in officer.get("/policy/").content.decode()
    assert "This is a starting text" not in pdf_text(officer.get("/policy/policy.pdf").content)


def test_the_emergency_form_has_every_blank(accounts, client_for):
    _profile(emergency_disclosure_allowed=True)
    matter = matter_at("explained", accounts)
    text = _words(_letter(client_for("officer"), matter, "emergency"))
    for blank in ("The user, as I describe them", "The records, if any", "Officer's name", "Badge / ID", "Agency",
                  "Telephone (for the call back)", "E-mail", "Supervisor's name and telephone",
                  "Date and time of the request", "Case or incident number", "Signature", "Date and time signed",
                  "Received for the library by"):
        assert blank in text, blank
    assert "Sincerely," not in text  # a form the requesting officer signs, not a letter from the library


def test_the_for_letters_text_keeps_a_policy_without_the_warning():
    adapted = "## Our policy\n\nWe keep records confidential."
    assert letterhead.for_letters(adapted) == adapted
    assert letterhead.for_letters(POLICY_TEXT).startswith("## What we keep confidential")
