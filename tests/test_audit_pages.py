"""The auditor's page and API: filters, CSV export, verification on request as a background job."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from closedstacks.audit.models import AuditEntry
from closedstacks.audit.trail import record
from tests.conftest import cli_env, closedstacks, python_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(accounts):
    with transaction.atomic():
        record("matter.opened", actor=accounts["officer"], obj=("matter", 12))
        record("matter.record_viewed", actor=accounts["custodian"], obj=("matter", 12), details={"kind": "loans"})
        record("matter.opened", actor=accounts["officer"], obj=("matter", 13))


def test_filter_by_actor_action_object_and_date(client_for, trail):
    auditor = client_for("auditor")
    page = auditor.get("/audit/", {"actor": "custodian"}).content.decode()
    assert "matter.record_viewed" in page and "matter.opened" not in page
    page = auditor.get("/audit/", {"action": "matter.", "object_type": "matter", "object_id": "13"}).content.decode()
    assert page.count("matter:13") == 1 and "matter:12" not in page
    assert "matter.opened" not in auditor.get("/audit/", {"until": "2000-01-01"}).content.decode()
    partial = auditor.get("/audit/", {"actor": "officer"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert b"<html" not in partial.content and b"matter:13" in partial.content


def test_csv_export_is_filtered_and_itself_audited(client_for, trail, accounts):
    response = client_for("auditor").get("/audit/export.csv", {"object_id": "12"})
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["action"] for row in rows] == ["matter.opened", "matter.record_viewed"]
    assert set(rows[0]) >= {"seq", "at", "actor_label", "action", "object_type", "object_id", "details",
                            "prev_hash", "hash"}
    export = AuditEntry.objects.filter(action="audit.exported").latest("seq")
    assert export.actor_id == accounts["auditor"].pk
    assert export.details_data == {"entries": 2, "filters": {"object_id": "12"}}


def test_verify_now_queues_a_job_that_the_worker_runs(client_for, trail):
    auditor = client_for("auditor")
    assert b"Not yet verified" in auditor.get("/audit/").content
    response = auditor.post("/audit/verification/run/", HTTP_HX_REQUEST="true")
    assert b"queued or running" in response.content and b'hx-trigger="every 2s"' in response.content
    auditor.post("/audit/verification/run/")  # a second request while one is queued adds nothing
    assert AuditEntry.objects.filter(action="audit.verification_requested").count() == 1
    job = DBTaskResult.objects.get(status="READY")
    assert job.task_path == "closedstacks.audit.tasks.verify_trail"
    job.task.call()  # what the worker does with it (run for real by `closedstacks jobs work` below)
    job.set_successful(None)
    status = auditor.get("/audit/verification/").content.decode()
    assert "Intact" in status and "queued" not in status
    entry = AuditEntry.objects.filter(action="audit.verified").latest("seq")
    assert entry.details_data["ok"] is True and entry.actor_label == "system"


def test_a_failed_verification_is_shown_plainly(client_for, trail):
    with transaction.atomic():
        record("audit.verified", actor="cli:root", details={"ok": False, "entries": 40, "problem_seq": 17,
                                                            "problem_kind": "changed", "last_checkpoint": None})
    page = client_for("auditor").get("/audit/").content.decode()
    assert "Tampering detected" in page and "entry 17" in page


def test_the_api_lists_entries_and_verification(client_for, trail):
    auditor = client_for("auditor")
    data = auditor.get("/api/v1/audit/entries", {"action": "matter.opened"}).json()
    assert data["count"] == 2 and {item["object_id"] for item in data["items"]} == {"12", "13"}
    assert data["items"][0]["details"] == {}
    assert auditor.get("/api/v1/audit/verification").json()["pending"] is False
    queued = auditor.post("/api/v1/audit/verification", content_type="application/json")
    assert queued.status_code == 202 and queued.json()["pending"] is True
    assert client_for("admin").get("/api/v1/audit/entries").status_code == 403


def test_the_openapi_document_lists_every_operation(client_for):
    schema = client_for("staff").get("/api/v1/openapi.json").json()
    assert {"/api/v1/me", "/api/v1/accounts", "/api/v1/audit/entries", "/api/v1/audit/verification"} <= set(
        schema["paths"])


def test_api_writes_need_the_csrf_token(accounts):
    from django.test import Client

    from tests.conftest import sign_in

    client = sign_in(Client(enforce_csrf_checks=True), accounts["auditor"])
    assert client.post("/api/v1/audit/verification").status_code == 403
    client.get("/audit/")
    token = client.cookies["closedstacks_csrf"].value
    assert client.post("/api/v1/audit/verification", HTTP_X_CSRFTOKEN=token).status_code == 202


def test_the_job_worker_runs_queued_verifications(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    python_in("from closedstacks.audit.services import request_verification\n"
              "request_verification(actor='cli:root')", env=env)
    worked = closedstacks("jobs", "work", "--batch", env=env)
    assert worked.returncode == 0, worked.stderr
    out = python_in("from closedstacks.audit.services import last_verification, verification_pending\n"
                    "e = last_verification(); print(e.details_data['ok'], e.details_data['entries'], "
                    "verification_pending())", env=env)
    assert out.split() == ["True", "1", "False"]
