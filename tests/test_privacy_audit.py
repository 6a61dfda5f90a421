"""The privacy audit on a Koha-shaped library: it finds each planted leak, reports zero on a clean library, and
names no user anywhere (page, PDF, command line, audit trail)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from closedstacks.audit.models import AuditEntry
from closedstacks.ils import generators
from closedstacks.ils.connectors.db import ConnectionSettings
from closedstacks.ils.models import Connection
from closedstacks.retention import privacy_audit, runs
from tests.conftest import cli_env, closedstacks, pdf_text, text

BIG = 10_000_000


def findings(audit) -> dict[str, int]:
    """The checks' counts (what the rest of the map keeps on purpose is information, not a finding)."""
    return {f["code"]: f["count"] for f in audit.checks}


@pytest.fixture
def library(tmp_path, accounts):
    path = tmp_path / "koha.sqlite3"
    generators.get("koha")(ConnectionSettings(driver="sqlite", database=str(path)), users=100, loans=3000, seed=4)
    connection = Connection.objects.create(name="koha", connector="koha", driver="sqlite", database=str(path))
    return {"path": path, "connection": connection}


def clean(library, accounts) -> int:
    """After a retention run the library is clean: every leak Koha leaves, the run clears."""
    assert runs.execute(runs.start(library["connection"], by=accounts["officer"])).status == "done"
    with sqlite3.connect(library["path"]) as db:
        return int(db.execute("SELECT value FROM systempreferences WHERE variable = 'AnonymousPatron'").fetchone()[0])


def test_the_audit_finds_the_leaks_koha_leaves(library, accounts):
    audit = privacy_audit.run(library["connection"], by=accounts["officer"])
    found = findings(audit)
    for code in ("past_loans_linked", "past_holds_linked", "statistics_linked", "items_last_borrower",
                 "search_history", "action_logs"):
        assert found[code] > 0, code
    assert all(f["oldest"] for f in audit.findings if f["count"])
    assert audit.findings[0]["severity"] == "high"  # the most serious first


def test_a_clean_library_reports_zero_and_each_planted_leak_is_found(library, accounts):
    anonymous = clean(library, accounts)
    assert sum(findings(privacy_audit.run(library["connection"], by=accounts["officer"])).values()) == 0
    with sqlite3.connect(library["path"]) as db:
        keeps, never = (db.execute("SELECT borrowernumber FROM borrowers WHERE privacy = ? AND categorycode <> 'S' "
                                   "ORDER BY borrowernumber LIMIT 1", (p,)).fetchone()[0] for p in (1, 2))
        loan = db.execute("SELECT issue_id FROM old_issues WHERE borrowernumber = ? LIMIT 1",
                          (anonymous,)).fetchone()[0]
        item = db.execute("SELECT itemnumber FROM items WHERE itemnumber NOT IN (SELECT itemnumber FROM "
                          "items_last_borrower) LIMIT 1").fetchone()[0]
        db.execute("INSERT INTO old_issues (issue_id, borrowernumber, itemnumber, issuedate, returndate) VALUES "
                   "(?, ?, ?, '2019-12-01', '2020-01-01'), (?, ?, ?, '2019-12-01', '2020-01-02')",
                   (BIG, keeps, item, BIG + 1, never, item))
        db.execute("INSERT INTO old_reserves (reserve_id, borrowernumber, reservedate, timestamp) VALUES "
                   "(?, ?, '2019-12-01', '2020-01-01')", (BIG, keeps))
        db.execute("INSERT INTO statistics (datetime, type, borrowernumber) VALUES ('2020-01-01', 'issue', ?)",
                   (keeps,))
        db.execute("INSERT INTO items_last_borrower (itemnumber, borrowernumber, created_on) VALUES "
                   "(?, ?, '2020-01-01')", (item, keeps))
        db.execute("INSERT INTO checkout_renewals (renewal_id, checkout_id, renewer_id, interface, timestamp) VALUES "
                   "(?, ?, ?, 'opac', '2020-01-01')", (BIG, loan, keeps))
        db.execute("INSERT INTO search_history (id, userid, sessionid, query_desc, query_cgi, total, time) VALUES "
                   "(?, ?, 's', 'q', 'q', 1, '2020-01-01')", (BIG, keeps))
        db.execute("INSERT INTO action_logs (action_id, timestamp, module, action, object) VALUES "
                   "(?, '2020-01-01', 'MEMBERS', 'MODIFY', ?), (?, '2020-01-01', 'FINES', 'PAYMENT', ?)",
                   (BIG, keeps, BIG + 1, keeps))
        db.execute("INSERT INTO message_queue (message_id, borrowernumber, subject, content, "
                   "message_transport_type, status, time_queued) VALUES (?, ?, 'Overdue', 'A title', 'email', "
                   "'sent', '2020-01-01')", (BIG, keeps))
        db.execute("INSERT INTO linktracker (id, borrowernumber, url, timeclicked) VALUES (?, ?, 'https://e.org/', "
                   "'2020-01-01')", (BIG, keeps))
    audit = privacy_audit.run(library["connection"], by=accounts["officer"])
    assert findings(audit) == {"past_loans_linked": 2, "past_loans_never_keep": 1, "past_holds_linked": 1,
                               "past_holds_never_keep": 0, "statistics_linked": 1, "items_last_borrower": 1,
                               "renewals_on_anonymized_loans": 1, "search_history": 1, "action_logs": 2,
                               "notices": 1, "link_clicks": 1}
    # The rest of the map is counted, as information with its reason, and never as a finding.
    kept = {f["code"]: f for f in audit.kept_on_purpose}
    assert kept["kept_reviews"]["count"] > 0 and "published" in kept["kept_reviews"]["fix"]
    assert {"kept_tags_all", "kept_virtualshelves", "kept_suggestions", "kept_illrequests"} <= set(kept)
    # Retention fixes every finding it names, and leaves what is kept on purpose.
    run = runs.execute(runs.start(library["connection"], by=accounts["officer"]))
    assert run.status == "done", run.problem
    again = privacy_audit.run(library["connection"], by=accounts["officer"])
    assert sum(findings(again).values()) == 0
    assert {f["code"]: f["count"] for f in again.kept_on_purpose} == {c: f["count"] for c, f in kept.items()}


def test_the_page_the_pdf_and_the_trail_name_no_user(library, accounts, client_for):
    with sqlite3.connect(library["path"]) as db:
        card, surname = db.execute("SELECT p.cardnumber, p.surname FROM old_issues x JOIN borrowers p ON "
                                   "p.borrowernumber = x.borrowernumber WHERE p.categorycode <> 'S' LIMIT 1").fetchone()
    officer = client_for("officer")
    assert officer.post("/retention/privacy-audit/", {"connection": library["connection"].pk}).status_code == 302
    page = text(client_for("auditor").get("/retention/privacy-audit/"))
    assert "Past loans still linked to the user after the retention period" in page and "Run retention" in page
    assert card not in page and surname not in page
    assert client_for("director").post("/retention/privacy-audit/",
                                       {"connection": library["connection"].pk}).status_code == 403
    assert client_for("staff").get("/retention/privacy-audit/").status_code == 403
    from closedstacks.retention.models import PrivacyAudit

    report = pdf_text(officer.get(f"/retention/privacy-audit/{PrivacyAudit.objects.get().pk}.pdf").content)
    assert "Privacy audit of koha" in report and card not in report and surname not in report
    entry = AuditEntry.objects.get(action="retention.privacy_audit")
    assert json.loads(entry.details)["findings"]["past_loans_linked"] > 0 and card not in entry.details


def test_the_command_line_exits_1_on_findings_and_0_when_clean(library, accounts, scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    assert closedstacks("connector", "add", "koha", "--kind", "koha", "--driver", "sqlite", "--database",
                        str(library["path"]), env=env).returncode == 0
    done = closedstacks("privacy-audit", "--pdf", str(tmp_path / "audit.pdf"), env=env)
    assert done.returncode == 1 and "high" in done.stdout and "fix: Run retention" in done.stdout
    assert (tmp_path / "audit.pdf").read_bytes().startswith(b"%PDF")
    assert closedstacks("retention", "run", env=env).returncode == 0
    left = json.loads(closedstacks("privacy-audit", "--json", env=env).stdout)
    assert left["findings"] and not [f["code"] for f in left["findings"] if f["count"]]  # retention left nothing
    done = closedstacks("privacy-audit", env=env)
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and not [line for line in lines if line.startswith(("high", "medium", "low"))]
    assert sum(line.startswith("clean") for line in lines) == len(left["findings"]) == 11
    assert any(line.startswith("kept") for line in lines) and "why: " in done.stdout
