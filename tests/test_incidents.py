"""Reports to the officer (steps 5 and 6): from the report form to closure, who sees what, conversions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from closedstacks.audit.models import AuditEntry
from closedstacks.audit.verify import verify
from closedstacks.incidents.models import Incident, IncidentEvent
from closedstacks.library.models import Branch, ServicePoint
from closedstacks.matters.models import Matter
from closedstacks.notices.models import Notice
from tests.conftest import make_account, run_jobs, sign_in, text
from tests.procedure import new_matter

pytestmark = pytest.mark.usefixtures("officer_configured")

WHAT = {
    "threat": "A man shouted that he would come back for the librarian unless she printed his wife's loans.",
    "unauthorized_demand": "An officer without papers asked for the borrowing history of a named teenager.",
    "privacy_problem": "A hold notice for one user was mailed to another user's address.",
}


def report_data(kind: str, **overrides) -> dict:
    data = {"kind": kind, "occurred_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Lobby", "who": "Tall man, grey coat, said he was 'from the county'", "what": WHAT[kind],
            "disclosed": "no", "disclosed_what": "", "witnesses": "Pat at the circulation desk"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("kind", sorted(WHAT))
def test_each_kind_of_report_goes_from_the_form_to_closure_with_mail_on_a_real_smtp_server(
        kind, accounts, client_for, smtp):
    point = ServicePoint.objects.create(branch=Branch.objects.create(name="Main"), name="Circulation desk")
    desk = client_for("staff")
    response = desk.post("/reports/new/", report_data(kind, service_point=point.pk))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/{incident.pk}/"
    assert (incident.kind, incident.status, incident.service_point) == (kind, "new", point)
    assert incident.due_at > timezone.now()  # the officer has two days to triage

    # The reporter's receipt: their own words and the status.
    receipt = text(desk.get(response.url))
    assert WHAT[kind] in receipt and "New: waiting for the officer" in receipt
    assert "Triage" not in receipt

    # At once: the officer by e-mail (and in the app), the reporter a receipt — after the commit, by the worker.
    assert not smtp
    assert run_jobs() == 2
    to_officer = [m for rcpts, m in smtp if rcpts == ["officer@example.org"]]
    to_reporter = [m for rcpts, m in smtp if rcpts == ["staff@example.org"]]
    assert len(to_officer) == len(to_reporter) == 1
    assert to_officer[0]["Subject"].startswith(f"New report {incident.pk}")
    assert "Your report" in to_reporter[0]["Subject"]
    for _rcpts, message in smtp:  # e-mail says which report, never what happened or who
        body = message.get_payload()
        assert f"/reports/{incident.pk}/" in body
        for secret in ("grey coat", WHAT[kind][:30], "Pat at the"):
            assert secret not in body and secret not in message["Subject"]
    assert Notice.objects.filter(recipient=accounts["officer"], url=f"/reports/{incident.pk}/").exists()

    officer = client_for("officer")
    page = text(officer.get(f"/reports/{incident.pk}/"))
    assert WHAT[kind] in page and "grey coat" in page and "Pat at the circulation desk" in page
    version = incident.version
    assert officer.post(f"/reports/{incident.pk}/act/triage/", {
        "version": version, "kind": kind, "severity": "high", "note": "Called the branch manager."}).status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.severity) == ("open", "high")
    assert incident.due_at.date() == (timezone.now() + dt.timedelta(days=5)).date()
    assert officer.post(f"/reports/{incident.pk}/act/action/", {
        "version": incident.version, "text": "Spoke with the reporter; reviewed the camera."}).status_code == 302
    incident.refresh_from_db()
    assert officer.post(f"/reports/{incident.pk}/act/close/", {
        "version": incident.version, "outcome": "Handled; staff reminded of the script."}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.closed_at and incident.outcome.startswith("Handled")
    assert [e.action for e in IncidentEvent.objects.filter(incident=incident)] == [
        "reported", "triaged", "action_recorded", "closed"]
    actions = list(AuditEntry.objects.filter(object_type="incident", object_id=str(incident.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions[0] == "incident.reported" and actions[-3:] == [
        "incident.triaged", "incident.action_recorded", "incident.closed"]
    assert "incident.viewed" in actions
    timeline = text(officer.get(f"/reports/{incident.pk}/"))
    assert "Action recorded" in timeline and "action_recorded" not in timeline  # the timeline in words

    smtp.clear()
    assert run_jobs() == 1
    assert smtp[0][0] == ["staff@example.org"] and smtp[0][1]["Subject"] == f"Your report {incident.pk} is closed"
    assert "Closed" in text(desk.get(f"/reports/{incident.pk}/"))
    assert verify().ok


def test_a_report_missing_what_happened_is_refused_and_nothing_is_lost(client_for):
    response = client_for("staff").post("/reports/new/", report_data("threat", what="  "))
    assert response.status_code == 400
    page = text(response)
    assert "grey coat" in page  # what was typed is still there
    assert Incident.objects.count() == 0 and Notice.objects.count() == 0


def test_a_report_dated_in_the_future_is_refused(client_for):
    later = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for("staff").post("/reports/new/", report_data("threat", occurred_at=later))
    assert response.status_code == 400 and "future" in text(response)
    assert not Incident.objects.exists()


def test_staff_see_their_own_reports_only(accounts, client_for):
    mine = client_for("staff")
    mine.post("/reports/new/", report_data("privacy_problem"))
    incident = Incident.objects.get()
    colleague = sign_in(Client(), make_account("colleague", "staff"))
    assert colleague.get(f"/reports/{incident.pk}/").status_code == 404
    assert WHAT["privacy_problem"] not in text(colleague.get("/reports/mine/"))
    assert colleague.get("/reports/").status_code == 403
    assert colleague.get("/reports/export.csv").status_code == 403
    assert colleague.post(f"/reports/{incident.pk}/act/close/", {"version": 1, "outcome": "x"}).status_code == 403
    listed = text(mine.get("/reports/mine/"))
    assert incident.label in listed


def test_an_admin_cannot_read_reports_but_may_file_one(accounts, client_for):
    client_for("staff").post("/reports/new/", report_data("threat"))
    theirs = Incident.objects.get()
    admin = client_for("admin")
    assert admin.get(f"/reports/{theirs.pk}/").status_code == 404
    assert admin.get("/reports/").status_code == 403
    assert admin.get("/reports/export.csv").status_code == 403
    assert WHAT["threat"] not in text(admin.get("/"))
    assert admin.post("/reports/new/", report_data("privacy_problem")).status_code == 302
    own = Incident.objects.get(reported_by=accounts["admin"])
    assert WHAT["privacy_problem"] in text(admin.get(f"/reports/{own.pk}/"))


def test_the_director_reads_reports_but_only_the_officer_acts(client_for):
    client_for("staff").post("/reports/new/", report_data("threat"))
    incident = Incident.objects.get()
    director = client_for("director")
    assert WHAT["threat"] in text(director.get(f"/reports/{incident.pk}/"))
    assert director.post(f"/reports/{incident.pk}/act/triage/", {
        "version": 1, "kind": "threat", "severity": "low"}).status_code == 403
    incident.refresh_from_db()
    assert incident.status == "new"


def test_a_stale_form_on_the_desk_is_refused(client_for):
    client_for("staff").post("/reports/new/", report_data("threat"))
    incident = Incident.objects.get()
    officer = client_for("officer")
    assert officer.post(f"/reports/{incident.pk}/act/triage/", {
        "version": 1, "kind": "threat", "severity": "low"}).status_code == 302
    response = officer.post(f"/reports/{incident.pk}/act/action/", {"version": 1, "text": "Late form"})
    assert response.status_code == 409
    assert not IncidentEvent.objects.filter(action="action_recorded").exists()


def test_a_report_cannot_be_closed_before_triage(client_for):
    client_for("staff").post("/reports/new/", report_data("threat"))
    incident = Incident.objects.get()
    response = client_for("officer").post(f"/reports/{incident.pk}/act/close/", {"version": 1, "outcome": "Done"})
    assert response.status_code == 400 and "Triage the report before closing it" in text(response)
    incident.refresh_from_db()
    assert incident.status == "new"


def test_overdue_reports_surface_on_the_officers_home_page(accounts, client_for):
    client_for("staff").post("/reports/new/", report_data("privacy_problem"))
    client_for("staff").post("/reports/new/", report_data("threat"))
    late, on_time = Incident.objects.order_by("pk")
    Incident.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=3))
    home = text(client_for("officer").get("/"))
    overdue = home[home.index("Overdue"):]
    assert late.label in overdue and on_time.label not in overdue
    desk = text(client_for("officer").get("/reports/?show=overdue"))
    assert late.label in desk and on_time.label not in desk
    assert "Reports to the officer" not in text(client_for("staff").get("/"))


def test_an_inquiry_at_the_desk_becomes_a_linked_report_in_one_action(accounts, client_for):
    matter = new_matter(accounts)
    desk = client_for("staff")
    assert "Report it" in text(desk.get(f"/inquiries/{matter.reference}/receipt/"))
    response = desk.post(f"/inquiries/{matter.reference}/report/", {"kind": "unauthorized_demand"})
    incident = Incident.objects.get(kind="unauthorized_demand")
    assert response.status_code == 302 and response.url == f"/reports/{incident.pk}/"
    assert incident.matter == matter and incident.reported_by == accounts["staff"]
    assert incident.what == matter.request_text and "Det. Casey Smith" in incident.who
    # Someone else cannot file from an inquiry they did not log and cannot see.
    other = sign_in(Client(), make_account("other", "staff"))
    assert other.post(f"/inquiries/{matter.reference}/report/", {"kind": "threat"}).status_code == 404


def test_a_report_becomes_a_matter_on_the_procedure_in_one_action(accounts, client_for):
    client_for("staff").post("/reports/new/", report_data("unauthorized_demand"))
    incident = Incident.objects.get()
    officer = client_for("officer")
    assert officer.post(f"/reports/{incident.pk}/open-matter/", {"version": 1}).status_code == 302
    incident.refresh_from_db()
    matter = Matter.objects.get()
    assert incident.matter == matter and matter.state == "referred"
    assert matter.request_text == WHAT["unauthorized_demand"] and matter.requester_name.startswith("Tall man")
    assert incident in matter.incidents.all()
    page = text(officer.get(f"/matters/{matter.reference}/"))
    assert f"/reports/{incident.pk}/" in page
    # Only once.
    again = officer.post(f"/reports/{incident.pk}/open-matter/", {"version": incident.version})
    assert again.status_code == 400 and Matter.objects.count() == 1


def test_a_threatening_requester_logged_at_the_desk_is_a_report_at_once(accounts):
    matter = new_matter(accounts, threatening=True)
    incident = Incident.objects.get()
    assert (incident.kind, incident.matter, incident.status) == ("threat", matter, "new")


def test_a_staff_member_whose_training_lapsed_can_still_report(accounts, client_for):
    from closedstacks.library.models import LibraryProfile

    profile = LibraryProfile.current()
    profile.training_required = True
    profile.save()
    assert client_for("staff").post("/reports/new/", report_data("threat")).status_code == 302
    officer = client_for("officer")
    assert officer.post("/reports/new/", report_data("privacy_problem")).status_code == 302
    assert Incident.objects.count() == 2


def test_reports_through_the_api(accounts, client_for):
    staff = client_for("staff")
    filed = staff.post("/api/v1/reports", {"kind": "threat", "what": "Shouted at the desk.", "who": "A visitor"},
                       content_type="application/json")
    assert filed.status_code == 201
    number = filed.json()["id"]
    assert Incident.objects.get(pk=number).reported_by == accounts["staff"]
    refused = staff.post("/api/v1/reports", {"kind": "gossip", "what": ""}, content_type="application/json")
    assert refused.status_code == 400 and {"kind", "what"} <= set(refused.json()["errors"])
    assert [r["id"] for r in staff.get("/api/v1/reports/mine").json()] == [number]
    assert client_for("counsel").get("/api/v1/reports/mine").json() == []
    assert staff.get("/api/v1/reports").status_code == 403
    assert client_for("admin").get("/api/v1/reports").status_code == 403
    rows = client_for("officer").get("/api/v1/reports").json()
    assert [(r["id"], r["kind"], r["status"]) for r in rows] == [(number, "threat", "new")]
    assert "Shouted" not in str(rows) and "visitor" not in str(rows)
