"""The procedure's pages: the desk form, the receipt, the matter page and its forms, files and letters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from closedstacks.audit.models import AuditEntry
from closedstacks.documents.models import StoredFile
from closedstacks.matters.models import Matter
from closedstacks.notices.models import Notice
from tests.procedure import PDF, all_yes, matter_at, stored_matter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("officer_configured")]

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

DESK = {"requester_name": "Det. Casey Smith", "requester_agency": "Example PD", "requester_id": "4471",
        "requester_contact": "555-0100", "channel": "in_person", "request_text": "Who borrowed the chemistry book?"}


def test_the_desk_logs_an_inquiry_and_shows_the_referral_script(accounts, client_for):
    from closedstacks.library.models import Contact

    Contact.objects.create(kind="officer", name="Olive Officer", office_phone="555-0111",
                           after_hours_phone="555-0199")
    desk = client_for("staff")
    response = desk.post("/inquiries/new/", {**DESK, "document": SimpleUploadedFile("subpoena.pdf", PDF)})
    matter = Matter.objects.get()
    assert response.status_code == 302 and response.url == f"/inquiries/{matter.reference}/receipt/"
    assert matter.state == "referred" and matter.desk_document.sha256
    receipt = desk.get(response.url).content.decode()
    for words in (matter.reference, "Only the library director or the library's legal counsel may respond",
                  "555-0111", "555-0199", "Officer"):
        assert words in receipt
    # The desk sees its receipt and nothing more of the matter.
    assert desk.get(f"/matters/{matter.reference}/").status_code == 403
    assert client_for("custodian").get(response.url).status_code == 404
    # The officer was told at once, in the app and by a queued e-mail.
    notice = Notice.objects.get(recipient=accounts["officer"])
    assert matter.reference in notice.subject and "Casey" not in notice.subject + notice.body
    assert f"/matters/{matter.reference}/" == notice.url
    assert "(1" in client_for("officer").get("/").content.decode()


def test_the_desk_form_says_what_is_missing(client_for):
    response = client_for("staff").post("/inquiries/new/", {"channel": "phone"})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert not Matter.objects.exists()


@pytest.mark.parametrize("name, content, words", [
    ("subpoena.pdf", PNG, "named as .pdf but its content is PNG"),
    ("subpoena.pdf", b"MZ\x90\x00 not a pdf at all", "Only PDF, JPEG and PNG"),
    ("scan.png", b"", "file is empty"),
    ("scan.pdf", b"%PDF-1.4 truncated", "incomplete or damaged"),
    ("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "damaged or is not really a JPEG"),
])
def test_a_bad_upload_is_refused_and_nothing_is_stored(client_for, name, content, words):
    response = client_for("staff").post("/inquiries/new/", {**DESK, "document": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and words in response.content.decode()
    assert not Matter.objects.exists() and not StoredFile.objects.exists()
    assert not AuditEntry.objects.filter(action="matter.logged").exists()


def test_an_oversized_upload_is_refused(client_for, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    big = PDF[:-6] + b" " * 2000 + b"\n%%EOF\n"
    response = client_for("staff").post("/inquiries/new/", {**DESK, "document": SimpleUploadedFile("s.pdf", big)})
    assert response.status_code == 400 and "the limit is 0.0 MB" in response.content.decode()
    assert not StoredFile.objects.exists()


def test_the_matter_page_shows_where_it_stands_and_is_audited(accounts, client_for):
    matter = matter_at("in_review", accounts)
    page = client_for("counsel").get(f"/matters/{matter.reference}/").content.decode()
    assert 'aria-current="step">Counsel&#x27;s review' in page
    assert "Record counsel&#x27;s determination" in page  # counsel's next step
    assert "21000000123" in page  # counsel sees the designated users
    assert "Past loans (circulation history), Holds and requests" in page and "past_loans" not in page
    viewed = AuditEntry.objects.filter(action="matter.viewed", object_id=str(matter.pk)).latest("seq")
    assert viewed.actor_id == accounts["counsel"].pk
    director_page = client_for("director").get(f"/matters/{matter.reference}/").content.decode()
    assert "Record counsel&#x27;s determination" not in director_page


def test_a_step_through_the_page(accounts, client_for):
    matter = matter_at("in_review", accounts)
    counsel = client_for("counsel")
    form = {"version": matter.version, "determination": "defective", "reasons": "Not signed.",
            "defects": "No clerk's signature\nNo return date", "cure_deadline": "2099-01-01"}
    missing = counsel.post(f"/matters/{matter.reference}/act/determine/", form)
    assert missing.status_code == 400 and "Answer every item on the checklist" in missing.content.decode()
    for item, answer in all_yes(matter).items():
        form[f"item_{item}"] = answer[0]
    done = counsel.post(f"/matters/{matter.reference}/act/determine/", form)
    assert done.status_code == 302
    matter.refresh_from_db()
    assert matter.state == "defective"
    assert list(matter.current_instrument().reviews.get().defects.values_list("text", flat=True)) == [
        "No clerk's signature", "No return date"]


def test_a_stale_form_is_refused_with_409_and_the_reason(accounts, client_for):
    matter = matter_at("received", accounts)
    director, officer = client_for("director"), client_for("officer")
    seen = matter.version
    assert director.post(f"/matters/{matter.reference}/act/assign_counsel/",
                         {"version": seen, "counsel": accounts["counsel"].pk}).status_code == 302
    late = officer.post(f"/matters/{matter.reference}/act/withdraw/", {"version": seen, "reason": "gone",
                                                                      "confirm": "yes"})
    assert late.status_code == 409
    assert "someone else changed this matter" in late.content.decode()
    matter.refresh_from_db()
    assert matter.state == "in_review"


def test_documents_download_as_attachments_and_are_audited(accounts, client_for):
    client_for("staff").post("/inquiries/new/", {**DESK, "document": SimpleUploadedFile("<script>.pdf", PDF)})
    matter = Matter.objects.get()
    response = client_for("officer").get(f"/matters/{matter.reference}/documents/{matter.desk_document_id}/")
    assert response.content == PDF
    assert response["Content-Disposition"] == (f'attachment; filename="matter-{matter.reference}-document-'
                                               f'{matter.desk_document_id}.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert AuditEntry.objects.filter(action="matter.document_downloaded").exists()
    other = matter_at("referred", accounts)
    assert client_for("officer").get(
        f"/matters/{other.reference}/documents/{matter.desk_document_id}/").status_code == 404


def test_letters_are_pdf_downloads(accounts, client_for):
    matter = matter_at("defective", accounts)
    response = client_for("director").get(f"/matters/{matter.reference}/letters/defects.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert client_for("director").get(f"/matters/{matter.reference}/letters/decline.pdf").status_code == 404


def test_queues_show_each_role_what_waits_for_them(accounts, client_for):
    received = matter_at("received", accounts)
    in_review = matter_at("in_review", accounts)
    director_queue = client_for("director").get("/matters/queue/waiting/").content.decode()
    assert received.reference in director_queue and in_review.reference not in director_queue
    counsel_queue = client_for("counsel").get("/matters/queue/waiting/").content.decode()
    assert in_review.reference in counsel_queue and received.reference not in counsel_queue
    assert client_for("counsel").get("/matters/queue/nonsense/").status_code == 404


def test_deadlines_and_overdue(accounts, client_for):
    matter = matter_at("received", accounts)
    matter.deadlines.filter(kind="return").update(due_on=timezone.localdate() - dt.timedelta(days=2))
    page = client_for("officer").get("/matters/deadlines/").content.decode()
    assert matter.reference in page and 'class="overdue' in page
    home = client_for("director").get("/").content.decode()
    assert "Overdue deadlines: 1" in home


def test_the_officer_edits_the_policy_as_a_new_version(accounts, client_for):
    from closedstacks.library.models import PolicyVersion

    officer = client_for("officer")
    response = officer.post("/policy/new-version/", {"title": "Our policy", "text": "## Rule\n<script>x</script>"})
    assert response.status_code == 302
    assert PolicyVersion.objects.count() == 2 and PolicyVersion.current().number == 2
    page = client_for("staff").get("/policy/").content.decode()
    assert "<h2>Rule</h2>" in page and "<script>x" not in page
    assert client_for("staff").post("/policy/new-version/", {"title": "x", "text": "y"}).status_code == 403
    assert client_for("staff").get("/policy/policy.pdf").content.startswith(b"%PDF")


def test_counsel_keeps_the_checklists_as_data(accounts, client_for):
    from closedstacks.library.models import ChecklistItem

    counsel = client_for("counsel")
    response = counsel.post("/checklists/new/", {"instrument_type": "nsl", "position": 9,
                                                 "text": "Compare with the Attorney General's guidelines.",
                                                 "guidance": "", "active": "on"})
    assert response.status_code == 302
    item = ChecklistItem.objects.get(text__startswith="Compare")
    assert AuditEntry.objects.filter(action="checklist.item_added", object_id=str(item.pk)).exists()
    assert client_for("director").get("/checklists/").status_code == 403


def test_a_matter_closed_after_its_release_went_the_whole_road(accounts, client_for):
    officer = client_for("officer")
    released = stored_matter(accounts, state="closed", outcome="released_full", types=["subpoena"])
    declined = stored_matter(accounts, state="declined", outcome="declined")
    def road(matter):
        page = officer.get(f"/matters/{matter.reference}/").content.decode()
        return re.findall(r'<li class="(\w+)"[^>]*>([^<]+)</li>', page.split('<ol class="road">')[1].split("</ol>")[0])

    assert road(released)[-1] == ("done", "Closed") and all(status == "done" for status, _label in road(released))
    assert road(declined)[-1] == ("done", "Declined")
    assert "ahead" not in {status for status, _label in road(declined)}
