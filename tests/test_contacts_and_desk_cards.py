"""The policy and the people: the contact list in the referral script and on a desk card per service point;
which policy version was in force when."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from pypdf import PdfReader

from closedstacks.audit.models import AuditEntry
from closedstacks.library.models import Branch, Contact, PolicyVersion, ServicePoint
from closedstacks.library.services import new_policy_version
from tests.conftest import pdf_text, text
from tests.procedure import new_matter, set_officer


def fill_contacts(client) -> None:
    for data in (
        {"kind": "officer", "name": "Olive Officer", "office_phone": "555-0100", "after_hours_phone": "555-0199",
         "email": "privacy@example.org", "position": 0},
        {"kind": "director", "name": "Dolores Director", "office_phone": "555-0101",
         "after_hours_phone": "555-0198", "position": 0},
        {"kind": "alternate_officer", "name": "Alan Alternate", "office_phone": "555-0103", "position": 0},
        {"kind": "counsel", "name": "Carmen Counsel", "title": "Example & Partners LLP",
         "office_phone": "555-0150", "position": 0},
    ):
        assert client.post("/library/contacts/new/", data).status_code == 302


def test_the_officer_keeps_the_contact_list_and_every_change_is_audited(client_for):
    officer = client_for("officer")
    fill_contacts(officer)
    page = text(officer.get("/library/contacts/"))
    # In the order staff should call: officer, alternate, director, ..., counsel.
    assert page.index("Olive Officer") < page.index("Alan Alternate") < page.index("Dolores Director") \
        < page.index("Carmen Counsel")
    assert AuditEntry.objects.filter(action="library.contact_added").count() == 4
    counsel = Contact.objects.get(kind="counsel")
    assert officer.post(f"/library/contacts/{counsel.pk}/", {"kind": "counsel", "name": "Carmen Counsel",
                                                             "office_phone": "555-0151"}).status_code == 302
    assert AuditEntry.objects.filter(action="library.contact_changed").count() == 1
    assert officer.post(f"/library/contacts/{counsel.pk}/", {"remove": "1"}).status_code == 302
    assert not Contact.objects.filter(kind="counsel").exists()
    assert AuditEntry.objects.filter(action="library.contact_removed").count() == 1


def test_a_contact_without_any_way_to_reach_them_is_refused(client_for):
    response = client_for("officer").post("/library/contacts/new/", {"kind": "officer", "name": "Nobody"})
    assert response.status_code == 400 and "at least one way to reach them" in text(response)
    assert not Contact.objects.exists()


def test_desk_staff_cannot_change_the_contact_list(client_for):
    assert client_for("staff").get("/library/contacts/").status_code == 403
    assert client_for("staff").post("/library/contacts/new/", {"kind": "officer", "name": "Me",
                                                               "office_phone": "1"}).status_code == 403
    assert client_for("counsel").get("/library/contacts/").status_code == 403


def test_the_referral_script_shows_the_contact_list(accounts, client_for):
    set_officer(accounts["officer"])
    fill_contacts(client_for("officer"))
    matter = new_matter(accounts)
    page = text(client_for("staff").get(f"/inquiries/{matter.reference}/receipt/"))
    for shown in ("Olive Officer", "555-0100", "555-0199", "Dolores Director", "555-0198", "Carmen Counsel",
                  "Only the library director or the library's legal counsel may respond"):
        assert shown in page


def test_every_service_point_gets_a_one_page_desk_card(accounts, client_for):
    fill_contacts(client_for("officer"))
    admin = client_for("admin")
    assert admin.post("/library/branches/new/", {"name": "Eastside Branch"}).status_code == 302
    branch = Branch.objects.get()
    assert admin.post("/library/service-points/new/", {"branch": branch.pk, "name": "Children's desk",
                                                       "phone": "555-0300"}).status_code == 302
    point = ServicePoint.objects.get()
    desk = client_for("staff")
    cards = text(desk.get("/desk-cards/"))
    assert f"/desk-cards/{point.pk}.pdf" in cards and "/desk-cards/general.pdf" in cards
    response = desk.get(f"/desk-cards/{point.pk}.pdf")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    content = pdf_text(response.content)
    for shown in ("Eastside Branch", "Children's desk", "Olive Officer", "555-0199", "Dolores Director",
                  "Carmen Counsel", "555-0150", "Only the library director"):
        assert shown in content, shown
    assert desk.get("/desk-cards/general.pdf").status_code == 200
    # A branch with service points is not removed from under them.
    response = admin.post(f"/library/branches/{branch.pk}/", {"remove": "1"}, follow=True)
    assert "still in use" in text(response) and Branch.objects.exists()


def test_which_policy_version_was_in_force_on_a_date_is_answerable(accounts, client_for):
    PolicyVersion.objects.all().delete()
    first = new_policy_version(title="Confidentiality of library records", text="Version one.",
                               by=accounts["officer"])
    PolicyVersion.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    second = new_policy_version(title="Confidentiality of library records", text="Version two.",
                                by=accounts["officer"])
    PolicyVersion.objects.filter(pk=second.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    new_policy_version(title="Confidentiality of library records", text="Version three.", by=accounts["officer"])
    staff = client_for("staff")
    for days_ago, number in ((100, 1), (10, 2), (0, 3)):
        day = (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()
        assert f"On {day}, version {number} " in text(staff.get(f"/policy/?on={day}"))
    early = (timezone.localdate() - dt.timedelta(days=500)).isoformat()
    assert "there was no policy in Closed Stacks yet" in text(staff.get(f"/policy/?on={early}"))
    old = text(staff.get("/policy/versions/1/"))
    assert "Version one." in old and "This is not the current version" in old
    assert PolicyVersion.in_force_at(timezone.now()).number == 3
