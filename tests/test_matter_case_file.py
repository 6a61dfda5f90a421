"""The matter page as a case file: its title names the instrument and the case, it says whom the matter waits on
and by when, it offers the one step that moves the matter on (not a side step), its road follows the matter's
branch, and its timeline is said in the reader's language."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from closedstacks.audit.models import AuditEntry
from closedstacks.matters import standing
from closedstacks.matters.models import MatterEvent
from closedstacks.matters.procedure import perform
from closedstacks.matters.states import State
from tests.procedure import PDF, all_yes, matter_at, new_matter, verify_requester


def _page(client, matter) -> str:
    return client.get(f"/matters/{matter.reference}/").content.decode()


def _road(page: str) -> list[tuple[str, str]]:
    road = page.split('<ol class="road">')[1].split("</ol>")[0]
    steps = re.findall(r'<li class="(\w+)"[^>]*>([^<]+)</li>', road)
    return [(status, html.unescape(label)) for status, label in steps]


def _main_move(page: str) -> str | None:
    found = re.search(r'id="main-move" href="[^"]+/act/(\w+)/"', page)
    return found.group(1) if found else None


def test_the_title_names_the_instrument_and_the_case_and_says_whom_it_waits_on(accounts, client_for):
    matter = matter_at("in_review", accounts)
    page = _page(client_for("counsel"), matter)
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert h1 == "Subpoena duces tecum — People v. Doe, CR-2026-118"
    waiting = re.sub(r"<[^>]+>", "", re.search(r'<span id="waiting-on">(.*?)</span>\s*</p>', page, re.S).group(1))
    counsel = accounts["counsel"].display_name
    # The instrument was served yesterday and its return is 30 days off: the last day to object comes first.
    assert re.fullmatch(rf"Waiting on counsel \({counsel}\) — \d+ days to the last day to object \(.+\)", waiting)


def test_before_an_instrument_the_title_is_the_kind_of_request_and_who_asked(accounts, client_for):
    page = _page(client_for("officer"), new_matter(accounts))
    assert re.search(r"<h1>(.*?)</h1>", page).group(1) == "Inquiry from Example Police Department"
    assert "Waiting on the responsible officer" in page


def test_the_main_action_is_the_step_that_moves_the_matter_on(accounts, client_for):
    officer, director, counsel = client_for("officer"), client_for("director"), client_for("counsel")
    assert _main_move(_page(officer, new_matter(accounts))) == "explain_policy"
    assert _main_move(_page(officer, matter_at("explained", accounts))) == "attach_instrument"
    # Once an instrument is attached, the director assigns counsel: never "refer a threat" first.
    received = matter_at("received", accounts)
    assert _main_move(_page(director, received)) == "assign_counsel"
    # The officer has no step of the road here: what they may do is offered, none of it as the main action.
    page = _page(officer, received)
    assert _main_move(page) is None and "/act/refer_incident/" in page
    assert _main_move(_page(counsel, matter_at("in_review", accounts))) == "determine"
    sufficient = matter_at("sufficient", accounts)
    assert _main_move(_page(director, sufficient)) == "propose_scope"
    # Proposed, but nobody has verified the requester: that comes before any approval.
    users = list(sufficient.current_instrument().designated_users.values_list("pk", flat=True))
    proposed = perform(sufficient, "propose_scope", by=accounts["director"], users=users[:1],
                       record_kinds=["past_loans"], date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 6, 30))
    page = _page(director, proposed)
    assert 'id="main-move" href="#verification-heading"' in page and "/act/approve_scope/" not in page
    verify_requester(proposed, accounts)
    assert _main_move(_page(director, proposed)) == "approve_scope"
    # The custodian is not yet assigned: the director's next step is to assign one.
    assert _main_move(_page(director, matter_at("scope_approved", accounts))) == "assign_custodian"


def test_a_closed_matter_offers_no_main_action(accounts, client_for):
    matter = perform(matter_at("explained", accounts), "decline", by=accounts["officer"])
    page = _page(client_for("officer"), matter)
    assert _main_move(page) is None and "Waiting on" not in page
    assert _road(page)[-1] == ("done", "Declined")


def test_a_warrant_matter_shows_the_warrant_road_not_the_ten_steps(accounts, client_for):
    matter = perform(new_matter(accounts), "record_warrant", by=accounts["officer"], issuing_authority="Judge R.",
                     case_number="SW-77", designation_text="Sign-in sheets",
                     officers_present=[{"name": "Sgt. A. Jones", "id": "1201", "agency": "State Police"}],
                     executed_at=timezone.now() - dt.timedelta(minutes=30), counsel_called="Carmen Counsel",
                     counsel_called_at=timezone.now() - dt.timedelta(minutes=25), inventory=["Sign-in sheet"])
    page = _page(client_for("director"), matter)
    assert _road(page) == [("done", "Referred"), ("current", "Warrant executed"), ("ahead", "Closed")]
    # No counsel yet: the director assigns one; afterwards counsel reviews.
    assert "Waiting on the director" in page and _main_move(page) == "assign_counsel"
    matter = perform(matter, "assign_counsel", by=accounts["director"], counsel=accounts["counsel"])
    page = _page(client_for("counsel"), matter)
    assert "Waiting on counsel" in page and _main_move(page) == "review_after"
    matter = perform(matter, "review_after", by=accounts["counsel"], answers=all_yes(matter), reasons="Proper.")
    assert _road(_page(client_for("counsel"), matter))[-1] == ("done", "Closed")


def test_a_defective_instrument_shows_the_cure_and_the_road_back_to_counsel(accounts, client_for):
    matter = matter_at("defective", accounts)
    page = _page(client_for("director"), matter)
    road = _road(page)
    assert road[:5] == [("done", "Referred"), ("done", "Policy explained"), ("done", "Instrument"),
                        ("done", "Counsel's review"), ("current", "Defective: cure")]
    assert road[5] == ("ahead", "Counsel's review")
    assert "Waiting on the issuing party" in page and "the cure deadline" in page
    assert _main_move(page) == "cure"


def test_a_road_for_each_branch():
    assert [s["label"] for s in standing.road("emergency", ["referred", "emergency_pending"],
                                              "emergency_pending")] == [
        "Referred", "Emergency request", "Director's decision", "Closed"]
    consent = standing.road("consent", ["referred", "explained", "received"], "received")
    assert [s["label"] for s in consent][:3] == ["Referred", "Policy explained", "Consent recorded"]
    challenged = standing.road("inquiry", ["referred", "explained", "received", "in_review", "challenged"],
                               "challenged")
    assert [s["status"] for s in challenged][4] == "current"
    assert challenged[5]["state"] == State.SUFFICIENT and challenged[5]["status"] == "ahead"


def test_whose_turn_follows_the_approvals_still_needed():
    assert standing.whose_turn("scope_proposed", "both") == standing.Party.DIRECTOR_AND_COUNSEL
    assert standing.whose_turn("scope_proposed", "counsel") == standing.Party.COUNSEL
    assert standing.whose_turn("scope_approved", has_custodian=False) == standing.Party.DIRECTOR
    assert standing.whose_turn("scope_approved") == standing.Party.CUSTODIAN
    assert standing.whose_turn("closed") == standing.Party.NOBODY
    assert State.SCOPE_PROPOSED in standing.states_waiting_on("counsel")


def test_deadlines_in_words():
    today = dt.date(2026, 12, 1)
    assert standing.due_phrase("return", dt.date(2026, 12, 14), today=today) == "13 days to the return date"
    assert standing.due_phrase("cure", today, today=today) == "the cure deadline is today"
    assert standing.due_phrase("objection", dt.date(2026, 11, 29), today=today) == \
        "the last day to object: 2 days overdue"


def test_the_timeline_is_stored_as_what_happened_and_said_in_the_readers_language(accounts, client_for):
    with translation.override("es"):  # whoever acted, in whatever language, the line is kept as what happened
        matter = matter_at("received", accounts)
    line = MatterEvent.objects.get(matter=matter, action="attach_instrument")
    assert line.message == "%(type)s received." and line.params == {"type": {"words": "Subpoena duces tecum"}}
    assert line.summary == "Subpoena duces tecum received."  # the product's own language, stored beside it
    with translation.override("es"):
        spanish = line.said()
    assert spanish.startswith("Citación duces tecum") and spanish != line.summary
    with translation.override("en"):
        assert line.said() == "Subpoena duces tecum received."
    english = _page(client_for("director"), matter)
    assert "Subpoena duces tecum received." in english


def test_a_deadline_extended_by_agreement_says_with_whom_and_why(accounts, client_for):
    matter = matter_at("in_review", accounts)
    deadline = matter.deadlines.get(kind="return")
    before = deadline.due_on
    deadline.reminders.create(lead_days=7)
    counsel = client_for("counsel")
    later = (before + dt.timedelta(days=21)).isoformat()
    form = {"to_day": later, "agreed_with": "ADA Perrin", "reason": "Counsel's review needs the full order"}
    assert counsel.post(f"/matters/{matter.reference}/deadlines/{deadline.pk}/extend/", form).status_code == 302
    deadline.refresh_from_db()
    assert deadline.due_on.isoformat() == later and not deadline.reminders.exists()  # reminded again anew
    extension = deadline.extensions.get()
    assert (extension.from_day, extension.agreed_with) == (before, "ADA Perrin")
    page = _page(counsel, matter)
    assert "agreed with ADA Perrin" in page and "Counsel&#x27;s review needs the full order" in page
    entry = AuditEntry.objects.get(action="matter.deadline_extended")
    assert json.loads(entry.details) == {"deadline": deadline.pk, "kind": "return", "from": before.isoformat(),
                                         "to": later}
    # An earlier day or no reason: refused, and nothing changes.
    for bad in ({**form, "to_day": before.isoformat()}, {**form, "reason": ""}):
        assert counsel.post(f"/matters/{matter.reference}/deadlines/{deadline.pk}/extend/", bad).status_code == 400
    deadline.refresh_from_db()
    assert deadline.due_on.isoformat() == later and deadline.extensions.count() == 1
    # The API does the same, through the same service.
    api = counsel.post(f"/api/v1/matters/{matter.reference}/deadlines/{deadline.pk}/extension",
                       {**form, "to_day": (deadline.due_on + dt.timedelta(days=7)).isoformat()},
                       content_type="application/json")
    assert api.status_code == 201 and deadline.extensions.count() == 2


def test_desk_staff_and_outsiders_cannot_extend(accounts, client_for):
    matter = matter_at("in_review", accounts)
    deadline = matter.deadlines.get(kind="return")
    form = {"to_day": (deadline.due_on + dt.timedelta(days=5)).isoformat(), "agreed_with": "x", "reason": "y"}
    assert client_for("staff").post(f"/matters/{matter.reference}/deadlines/{deadline.pk}/extend/",
                                    form).status_code in (403, 404)
    assert client_for("custodian").post(f"/matters/{matter.reference}/deadlines/{deadline.pk}/extend/",
                                        form).status_code == 404  # not on the matter
    assert not deadline.extensions.exists()


def test_further_documents_are_checked_attached_and_opened_by_the_people_on_the_matter(accounts, client_for):
    matter = matter_at("in_review", accounts)
    counsel = client_for("counsel")
    upload = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    answer = counsel.post(f"/matters/{matter.reference}/documents/new/",
                          {"kind": "correspondence", "title": "Letter from the prosecutor", "upload": upload})
    assert answer.status_code == 302
    document = matter.documents.get()
    page = _page(counsel, matter)
    assert "Letter from the prosecutor" in page
    download = counsel.get(f"/matters/{matter.reference}/documents/{document.file_id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content if download.streaming else
                                                     [download.content]) == PDF
    entry = AuditEntry.objects.get(action="matter.document_added")
    assert json.loads(entry.details)["file"] == document.file.sha256 and "prosecutor" not in str(entry.details)
    # A file that is not what it says is refused, and nothing is attached.
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = counsel.post(f"/matters/{matter.reference}/documents/new/",
                           {"kind": "other", "title": "Executable", "upload": fake})
    assert refused.status_code == 400 and matter.documents.count() == 1
    # Someone not on the matter can neither attach nor open.
    outsider = client_for("custodian")
    assert outsider.get(f"/matters/{matter.reference}/documents/{document.file_id}/").status_code == 404
    again = SimpleUploadedFile("l.pdf", PDF, content_type="application/pdf")
    assert outsider.post(f"/matters/{matter.reference}/documents/new/",
                         {"kind": "other", "title": "probe", "upload": again}).status_code == 404
    assert matter.documents.count() == 1


def test_dates_and_times_are_written_the_readers_way():
    from closedstacks.web.templatetags.stamps import day, stamp

    when = dt.datetime(2026, 11, 28, 14, 5)
    with translation.override("en"):
        assert (day(when.date()), stamp(when)) == ("2026-11-28", "2026-11-28 14:05")
    with translation.override("es"):
        assert (day(when.date()), stamp(when)) == ("28/11/2026", "28/11/2026 14:05")


def test_a_step_that_cannot_be_undone_restates_what_it_does_and_waits_for_the_confirmation(accounts, client_for):
    matter = matter_at("explained", accounts)
    officer = client_for("officer")
    page = officer.get(f"/matters/{matter.reference}/act/withdraw/").content.decode()
    assert "Before you confirm" in page and "cannot be reopened" in page and 'name="confirm"' in page
    unconfirmed = officer.post(f"/matters/{matter.reference}/act/withdraw/",
                               {"version": matter.version, "reason": "The detective withdrew the request"})
    assert unconfirmed.status_code == 400 and "Tick the confirmation" in unconfirmed.content.decode()
    assert "The detective withdrew the request" in unconfirmed.content.decode()  # kept for the second try
    matter.refresh_from_db()
    assert matter.state == "explained"
    done = officer.post(f"/matters/{matter.reference}/act/withdraw/",
                        {"version": matter.version, "reason": "The detective withdrew the request", "confirm": "yes"})
    assert done.status_code == 302
    matter.refresh_from_db()
    assert matter.state == "withdrawn"
    # A step that can be undone asks for no confirmation.
    other = matter_at("explained", accounts)
    assert 'name="confirm"' not in officer.get(f"/matters/{other.reference}/act/explain_policy/").content.decode()


def test_every_timeline_message_is_in_the_catalogue_and_translated():
    """A timeline line is translated when it is read, so its message must be in the catalogue: marked with
    gettext_noop by that name (makemessages finds no alias) and translated."""
    from pathlib import Path

    import closedstacks

    package = Path(closedstacks.__file__).parent
    source = "".join(path.read_text() for path in (package / "matters").rglob("*.py"))
    messages = set(re.findall(r'gettext_noop\(\s*"((?:[^"\\]|\\.)*)"\s*\)', source))
    assert len(messages) >= 25
    words = [message for message in messages if re.sub(r"%\(\w+\)[sd]", "", message).strip(" .:")]
    with translation.override("es"):
        missing = sorted(message for message in words if translation.gettext(message) == message)
    assert not missing, missing
    assert "N_(" not in source


def test_counsel_works_the_checklist_first_and_may_save_a_draft_only_they_see(accounts, client_for):
    matter = matter_at("in_review", accounts)
    counsel = client_for("counsel")
    url = f"/matters/{matter.reference}/act/determine/"
    page = counsel.get(url).content.decode()
    first_item = page.index('name="item_')
    assert first_item < page.index('name="determination"') and first_item < page.index('name="reasons"')
    item = re.search(r'name="(item_\d+)"', page).group(1)
    draft = {"version": matter.version, item: "yes", "note_" + item[5:]: "Signed by the clerk",
             "reasons": "So far in good form", "save_draft": "1"}
    saved = counsel.post(url, draft)
    assert saved.status_code == 200 and "Draft saved" in saved.content.decode()
    matter.refresh_from_db()
    assert matter.state == "in_review" and not matter.instruments.get().reviews.exists()  # nothing decided
    again = counsel.get(url).content.decode()
    assert "Signed by the clerk" in again and "So far in good form" in again
    assert AuditEntry.objects.filter(action="matter.review_draft_saved").count() == 1
    assert "Signed by the clerk" not in json.dumps([e.details for e in AuditEntry.objects.all()])
    # Only its author sees the draft: the director may open the step page, and sees none of it.
    director_view = client_for("director").get(url)
    assert "Signed by the clerk" not in director_view.content.decode()
    # The determination recorded, the draft is gone.
    from closedstacks.matters.models import ReviewDraft

    answers = {name: "yes" for name in re.findall(r'name="(item_\d+)"', page)}
    done = counsel.post(url, {"version": matter.version, **answers, "determination": "sufficient",
                              "reasons": "In good form; good cause shown."})
    assert done.status_code == 302 and not ReviewDraft.objects.exists()
