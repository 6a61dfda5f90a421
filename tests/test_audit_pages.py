"""The auditor's page and API: filters, CSV export, verification on request as a background job."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from closedstacks.audit import words
from closedstacks.audit.models import AuditEntry
from closedstacks.audit.trail import record
from tests.conftest import cli_env, closedstacks, python_in

pytestmark = pytest.mark.django_db

# How the table names what an entry is about.
MATTER_12, MATTER_13 = ('Matter <span class="object-id">12</span>', 'Matter <span class="object-id">13</span>')


@pytest.fixture
def trail(accounts):
    with transaction.atomic():
        record("matter.opened", actor=accounts["officer"], obj=("matter", 12))
        record("matter.record_viewed", actor=accounts["custodian"], obj=("matter", 12), details={"kind": "loans"})
        record("matter.opened", actor=accounts["officer"], obj=("matter", 13))


def test_filter_by_actor_action_object_and_date(client_for, trail):
    auditor = client_for("auditor")
    page = auditor.get("/audit/", {"actor": "custodian"}).content.decode()
    assert "Matters: record viewed" in page and "Matters: opened" not in page
    page = auditor.get("/audit/", {"action": "matter.", "object_type": "matter", "object_id": "13"}).content.decode()
    assert page.count(MATTER_13) == 1 and MATTER_12 not in page
    assert "Matters: opened" not in auditor.get("/audit/", {"until": "2000-01-01"}).content.decode()
    partial = auditor.get("/audit/", {"actor": "officer"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert b"<html" not in partial.content and MATTER_13.encode() in partial.content


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


# --- The trail in words --------------------------------------------------------------------------------------

SRC = Path(__file__).resolve().parent.parent / "src" / "closedstacks"
CODE = r'"([a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*)"'
# record(<first argument>, ...) and changes.save(..., action=<expression>, ...) wherever they are called.
RECORD_CALL = re.compile(r"\brecord\(\s*([^,]+?),\s*(?:actor|obj|details|matter)=", re.S)
SAVE_CALL = re.compile(r"\bchanges\.save\(\s*\w+,\s*by=[\w.]+,\s*action=(f?\"[^\"]*\"|\w+)[,)]")


def _source(path: str) -> str:
    return (SRC / path).read_text()


def _indirect_codes() -> dict:
    """Where an action code is made rather than written out: each place, and the codes it makes."""
    from closedstacks.library.views import SETTINGS
    from closedstacks.matters.procedure import MOVES

    settings_codes = {f"{setting[2]}_{end}" for setting in SETTINGS.values() for end in ("added", "changed", "removed")}
    return {
        ("audit/changes.py", "action"): set(),  # changes.save(action=...): found at each call of save
        ("audit/verify.py", "VERIFIED"): set(re.findall(r'^VERIFIED = ' + CODE, _source("audit/verify.py"), re.M)),
        ("retention/runs.py", "action"): set(re.findall(r"_audit\(run, " + CODE, _source("retention/runs.py"))),
        ("library/services.py", "f\"{action}_{'added' if created else 'changed'}\""): settings_codes,
        ("library/services.py", 'f"{action}_removed"'): settings_codes,
        ("matters/procedure.py", 'f"matter.{name}"'): {f"matter.{name}" for name in MOVES},
        ("incidents/services.py", 'f"incident.{action}"'): {
            f"incident.{name}" for name in re.findall(r'_save\(incident, by, "([a-z_]+)"',
                                                      _source("incidents/services.py"))},
        ("bench/audit_run.py", 'data["action"]'): set(),  # made-up entries for the benchmarks
    }


def recorded_codes() -> set[str]:
    """Every action code the product records, read from its source: the codes written out in record(...) and
    changes.save(action=...), and those made at the places _indirect_codes knows (a new such place fails)."""
    codes, indirect = set(), _indirect_codes()
    for path in sorted(SRC.rglob("*.py")):
        relative, text = str(path.relative_to(SRC)), path.read_text()
        if "migrations" in path.parts or relative == "audit/trail.py":
            continue
        arguments = [m.group(1).strip() for m in RECORD_CALL.finditer(text)]
        arguments += [m.group(1) for m in SAVE_CALL.finditer(text)]
        for argument in arguments:
            written = re.findall(CODE, argument)
            if written and not argument.startswith("f"):
                codes.update(written)
            elif not argument.startswith('"'):
                assert (relative, argument) in indirect, (
                    f"{relative} records the action {argument}: add the codes it makes to _indirect_codes")
                codes.update(indirect[relative, argument])
    return codes


def test_every_action_the_product_records_has_words():
    codes = recorded_codes()
    assert {"matter.note_added", "matter.approve_scope", "incident.triaged", "retention.run_finished",
            "library.contact_removed", "checklist.item_changed", "audit.verified", "transparency.published"} <= codes
    assert len(codes) > 120
    missing = sorted(code for code in codes if code not in words.LABELS)
    assert not missing, f"add a label for these to closedstacks/audit/words.py: {missing}"
    # and the action filter offers nothing the product never records
    assert not sorted(set(words.LABELS) - codes)
    assert words.label("matter.note_added") == "Note added to a matter"
    assert words.label("matter.approve_scope") == "Scope approved"


def test_every_kind_of_audited_object_has_words():
    kinds = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        kinds.update(re.findall(r'^\s+audit_type = "([a-z_]+)"', text, re.M))
        kinds.update(re.findall(r'\bobj=\("([a-z_]+)",', text))
    assert {"matter", "legal_hold", "account", "retention_run", "transparency_report"} <= kinds
    assert not sorted(kinds - set(words.OBJECT_TYPES))


def test_an_unknown_code_is_shown_as_itself_made_readable():
    from django.utils import translation

    translation.activate("en")  # whatever language an earlier test in this process left active
    assert words.label("matter.record_viewed") == "Matters: record viewed"
    assert words.label("gizmo.sprocket_turned") == "Gizmo: sprocket turned"
    assert words.object_type("gizmo_part") == "Gizmo part"
    assert words.key("kept_for_holds") == "Kept for holds" and words.key("odd_new_key") == "Odd new key"


def _results(client, **query) -> str:
    """The table of entries alone (the filter's lists name every code, so look only at the results)."""
    return client.get("/audit/", query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results").content.decode()


@pytest.fixture
def worded(accounts):
    with transaction.atomic():
        record("matter.note_added", actor=accounts["officer"], obj=("matter_note", 5),
               details={"note": 5, "kind": "counsel"})
        record("retention.run_finished", actor=accounts["officer"], obj=("retention_run", 2),
               details={"connection": "demo-koha", "dry_run": False, "problem": None,
                        "counts": {"past_loans": {"done": True, "examined": 3909, "unlinked": 3518}}})
        record("hold.placed", actor=accounts["custodian"], obj=("legal_hold", 9),
               details={"kinds": ["past_loans", "fines"], "matter": "2026-BCF2ST", "from": "2022-01-01"})
        record("gizmo.sprocket_turned", actor=accounts["custodian"], obj=("gizmo_part", 1))


def test_the_trail_says_what_happened_in_words(client_for, worded):
    table = _results(client_for("auditor"))
    assert ">Note added to a matter<" in table and "matter.note_added" not in table
    assert ">Retention run finished<" in table and ">Legal hold placed<" in table
    assert ">Gizmo: sprocket turned<" in table and "gizmo.sprocket_turned" not in table
    assert 'Note on a matter <span class="object-id">5</span>' in table
    assert 'Retention run <span class="object-id">2</span>' in table


def test_details_are_terms_in_words_not_json(client_for, worded):
    table = _results(client_for("auditor"))
    assert "{" not in table and "&quot;" not in table and "dry_run" not in table
    assert "<dt>Dry run</dt><dd>no</dd>" in table and "<dt>Problem</dt><dd>—</dd>" in table
    assert "<dt>Connection</dt><dd>demo-koha</dd>" in table
    assert "<dt>Kinds</dt><dd>past loans, fines</dd>" in table  # a list, joined; a code value, spaced
    assert "<dt>Matter</dt><dd>2026-BCF2ST</dd>" in table and "<dt>From</dt><dd>2022-01-01</dd>" in table
    # A group within the details: its terms, each in words (and nothing the details do not hold).
    assert "<dt>Past loans</dt>" in table and "<dt>Examined</dt><dd>3909</dd>" in table
    assert "<dt>Done</dt><dd>yes</dd>" in table
    details = [words.details(entry.details_data) for entry in AuditEntry.objects.filter(action="hold.placed")]
    assert [[(item.term, item.text) for item in found] for found in details] == [
        [("From", "2022-01-01"), ("Kinds", "past loans, fines"), ("Matter", "2026-BCF2ST")]]


def test_each_hash_is_shortened_and_the_whole_one_is_there(client_for, worded):
    table = _results(client_for("auditor"))
    entry = AuditEntry.objects.get(action="hold.placed")
    assert f"<code title=\"{entry.hash}\">{entry.hash[:12]}…</code>" in table
    assert f'<code class="hash">{entry.hash}</code>' in table
    assert f'<code class="hash">{entry.prev_hash}</code>' in table


def test_the_filters_are_lists_in_words_and_narrow_the_trail(client_for, worded):
    auditor = client_for("auditor")
    page = auditor.get("/audit/").content.decode()
    action = page[page.index('<select name="action"'):page.index("</select>", page.index('<select name="action"'))]
    assert '<optgroup label="Matters">' in action and '<optgroup label="Retention">' in action
    assert '<option value="matter.note_added">Note added to a matter</option>' in action
    assert '<option value="matter.">Any of these (Matters)</option>' in action
    assert all(f'value="{code}"' in action for code in words.LABELS)
    actor = page[page.index('<select name="actor"'):page.index("</select>", page.index('<select name="actor"'))]
    assert '<option value="custodian">' in actor and '<option value="system">' in actor
    assert '<select name="object_type"' in page and '<option value="legal_hold">Legal hold</option>' in page
    # Each narrows the trail, alone and together.
    assert _actions(_results(auditor, action="matter.note_added")) == ["Note added to a matter"]
    assert _actions(_results(auditor, action="retention.")) == ["Retention run finished"]
    assert _actions(_results(auditor, actor="custodian")) == ["Gizmo: sprocket turned", "Legal hold placed"]
    assert _actions(_results(auditor, object_type="legal_hold")) == ["Legal hold placed"]
    assert _actions(_results(auditor, actor="custodian", object_type="gizmo_part")) == ["Gizmo: sprocket turned"]
    # A value the lists do not name (an older link, a prefix) still filters, and is shown chosen.
    page = auditor.get("/audit/", {"action": "hold.pla"}).content.decode()
    assert '<option value="hold.pla" selected>Legal holds: pla</option>' in page
    assert _actions(page[page.index('id="results"'):]) == ["Legal hold placed"]


def _actions(table: str) -> list[str]:
    return re.findall(r'<td data-label="What happened">([^<]*)</td>', table)
