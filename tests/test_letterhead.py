"""Letters go out on the library's letterhead — its name and postal address — with no product footer; a threat's
receipt tells the reporter what to do if anyone is in danger now, in the library's words or the standard ones."""

from __future__ import annotations

from closedstacks.incidents.services import report
from closedstacks.library.models import LibraryProfile
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
