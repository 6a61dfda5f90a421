"""Producing exactly the designated records: compiled by the custodian inside an approved scope, reviewed by
counsel against it, released once, downloaded only by the people on the matter — against a real (SQLite) Koha."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.utils import timezone

from closedstacks.audit.models import AuditEntry
from closedstacks.ils import generators
from closedstacks.ils.connectors.base import COLUMNS
from closedstacks.ils.connectors.db import ConnectionSettings, connect
from closedstacks.ils.models import Connection
from closedstacks.matters.models import Matter
from closedstacks.matters.procedure import ProcedureError, perform
from closedstacks.records import production as productions
from closedstacks.records.models import Production, ProductionLocked, Release
from tests.conftest import make_account, pdf_text, run_jobs, text
from tests.ils import ils_url  # noqa: F401 (a fixture)
from tests.procedure import all_yes, instrument_data, matter_at, set_officer, verify_requester

SCOPE_FROM, SCOPE_TO = dt.date(2022, 1, 1), dt.date(2023, 12, 31)


def connect_koha(settings, url: str, tmp_path) -> dict:
    """A generated Koha-shaped library at ``url``, connected; the three busiest borrowers' cards and numbers."""
    settings.DATA_DIR = tmp_path / "data"
    where = ConnectionSettings.from_url(url)
    generators.get("koha")(where, users=80, loans=5000, seed=3)
    connection = Connection(name="koha", connector="koha", driver=where.driver, host=where.host or "127.0.0.1",
                            port=where.port, database=where.database, read_user=where.user or "")
    connection.set_password("read", where.password or "")
    connection.save()
    with connect(where) as db:
        rows = list(db.rows("SELECT p.cardnumber, p.borrowernumber FROM old_issues x JOIN borrowers p "
                            "ON p.borrowernumber = x.borrowernumber WHERE x.issuedate >= %s AND x.issuedate < %s "
                            "GROUP BY p.cardnumber, p.borrowernumber ORDER BY COUNT(*) DESC, p.borrowernumber "
                            "LIMIT 3", ("2022-01-01", "2024-01-01")))
    return {"where": where, "cards": [r[0] for r in rows], "ids": [str(r[1]) for r in rows]}


@pytest.fixture
def koha(tmp_path, settings, accounts):
    """A Koha-shaped library in SQLite (the demo's engine), connected."""
    set_officer(accounts["officer"])
    return connect_koha(settings, f"sqlite:///{tmp_path / 'koha.sqlite3'}", tmp_path)


def approved(accounts, koha) -> Matter:
    """A subpoena designating three users (loans, holds, fines, 2020–2024); the scope: two of them, past loans
    and fines, 2022–2023; a custodian assigned."""
    officer, director, counsel = accounts["officer"], accounts["director"], accounts["counsel"]
    matter = matter_at("explained", accounts)
    matter = perform(matter, "attach_instrument", by=director, **instrument_data(
        designated=[("card", c) for c in koha["cards"]], record_kinds=["past_loans", "holds", "fines"],
        date_from=dt.date(2020, 1, 1), date_to=dt.date(2024, 12, 31)))
    matter = perform(matter, "assign_counsel", by=director, counsel=counsel)
    matter = perform(matter, "determine", by=counsel, answers=all_yes(matter), determination="sufficient",
                     reasons="In good form.")
    designated = list(matter.current_instrument().designated_users.order_by("pk"))
    matter = perform(matter, "propose_scope", by=director, users=[d.pk for d in designated[:2]],
                     record_kinds=["past_loans", "fines"], date_from=SCOPE_FROM, date_to=SCOPE_TO)
    verify_requester(matter, accounts)
    matter = perform(matter, "approve_scope", by=director)
    matter = perform(matter, "approve_scope", by=counsel)
    matter = perform(matter, "assign_custodian", by=director, custodian=accounts["custodian"])
    assert matter.state == "scope_approved" and officer
    return matter


def compiled(accounts, koha, matter=None, **data) -> tuple[Matter, Production]:
    matter = matter or approved(accounts, koha)
    matter = perform(matter, "compile_production", by=accounts["custodian"], **data)
    assert matter.state == "production_review"
    run_jobs()
    return matter, productions.current(matter)


def read_rows(production: Production, name: str) -> list[dict]:
    with (productions.directory(production) / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("driver", ["sqlite", "mysql"])
def test_the_production_holds_exactly_the_scope_row_by_row(driver, accounts, ils_url, tmp_path, settings):  # noqa: F811
    """On the demo's SQLite and on a real MariaDB: what the scope includes, and nothing it excludes."""
    set_officer(accounts["officer"])
    koha = connect_koha(settings, ils_url(driver), tmp_path)
    matter, made = compiled(accounts, koha)
    assert made.status == "ready" and made.search == {"found": 2, "ambiguous": 0, "not_found": 0,
                                                      "kinds_not_kept": []}
    prefix = f"CS-{matter.reference}"
    names = sorted(f["name"] for f in made.files)
    assert f"{prefix}-past_loans.csv" in names and f"{prefix}-fines.csv" in names
    assert f"{prefix}-manifest.csv" in names and f"{prefix}-certification.pdf" in names
    assert not any("holds" in name for name in names)  # designated by the instrument, not in the scope
    inside, outside = set(koha["ids"][:2]), koha["ids"][2]
    users, window = [int(u) for u in koha["ids"][:2]], ("2022-01-01", "2024-01-01")
    with connect(koha["where"]) as db:
        # What the scope must include: the test's own SQL over the two users and the scope's dates.
        loans = list(db.rows("SELECT issue_id, borrowernumber, issuedate FROM old_issues WHERE borrowernumber IN "
                             "(%s, %s) AND issuedate >= %s AND issuedate < %s ORDER BY issuedate, issue_id",
                             (*users, *window)))
        fines = list(db.rows("SELECT accountlines_id FROM accountlines WHERE borrowernumber IN (%s, %s) AND "
                             "date >= %s AND date < %s", (*users, *window)))
        # ... and what it must exclude: the same users' loans outside the dates, and the third user's.
        outside_dates = db.one("SELECT COUNT(*) FROM old_issues WHERE borrowernumber IN (%s, %s) AND "
                               "(issuedate < %s OR issuedate >= %s)", (*users, *window))[0]
        third = db.one("SELECT COUNT(*) FROM old_issues WHERE borrowernumber = %s AND issuedate >= %s AND "
                       "issuedate < %s", (int(outside), *window))[0]
    assert loans and outside_dates > 0 and third > 0
    rows = read_rows(made, f"{prefix}-past_loans.csv")
    assert list(rows[0]) == ["bates", *COLUMNS["past_loans"]]  # only the fields a production needs
    assert [(r["loan"], r["user"]) for r in rows] == [(str(i), str(u)) for i, u, _ in loans]
    assert all(r["user"] in inside and SCOPE_FROM.isoformat() <= r["checked_out"][:10] <= SCOPE_TO.isoformat()
               for r in rows)
    fine_rows = read_rows(made, f"{prefix}-fines.csv")
    assert sorted(int(r["fine"]) for r in fine_rows) == sorted(f[0] for f in fines)
    # Numbered across the whole production, in the fixed order of kinds, without a gap.
    numbers = [r["bates"] for r in rows + fine_rows]
    assert numbers == [f"{prefix}-{n:06d}" for n in range(1, len(numbers) + 1)]
    assert made.records == {"past_loans": len(loans), "fines": len(fines)}
    assert (made.first_number, made.last_number) == (1, len(numbers))
    # The manifest lists every file with its real hash; the recorded hashes match the bytes on disk.
    manifest = read_rows(made, f"{prefix}-manifest.csv")
    for entry in made.files:
        data = (productions.directory(made) / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
    listed = {m["file"]: m for m in manifest}
    assert set(listed) == {f["name"] for f in made.files} - {f"{prefix}-manifest.csv", f"{prefix}-certification.pdf"}
    assert listed[f"{prefix}-past_loans.csv"]["records"] == str(len(loans))
    # The custodian's certification names the numbers, the manifest's hash and the custodian.
    certification = pdf_text((productions.directory(made) / f"{prefix}-certification.pdf").read_bytes())
    assert "Certification of records custodian" in certification and "902(11)" in certification
    assert accounts["custodian"].display_name in certification
    assert f"{prefix}-000001" in certification and made.manifest_sha256[:16] in certification.replace("\n", "")
    # The audit trail has the compilation, by reference: no card number anywhere in it.
    entry = AuditEntry.objects.get(action="production.compiled")
    assert json.loads(entry.details)["records"] == made.records
    assert not any(card in e.details for e in AuditEntry.objects.all() for card in koha["cards"])


def test_counsel_reviews_then_the_release_is_recorded_once_and_the_matter_closes(accounts, koha, client_for):
    matter, made = compiled(accounts, koha)
    counsel = client_for("counsel")
    assert matter.reference in text(counsel.get("/matters/queue/waiting/"))  # waits for counsel's review
    page = text(counsel.get(f"/matters/{matter.reference}/productions/1/"))
    assert "The approved scope" in page and "The manifest" in page  # side by side
    assert made.manifest_sha256 in page and "Only kinds of record the scope names are in the production." in page
    assert "Approve the production" in page
    # The custodian who compiled cannot approve; counsel can, through the page.
    with pytest.raises(ProcedureError):
        perform(matter, "approve_production", by=accounts["custodian"], production=1)
    approval = {"version": Matter.objects.get(pk=matter.pk).version, "production": 1, "checked": "on",
                "note": "Matches."}
    unconfirmed = counsel.post(f"/matters/{matter.reference}/act/approve_production/", approval)
    assert unconfirmed.status_code == 400 and "Tick the confirmation" in text(unconfirmed)  # nothing done
    assert Matter.objects.get(pk=matter.pk).state == "production_review"
    assert "Matches." in text(unconfirmed)  # what was entered is kept
    response = counsel.post(f"/matters/{matter.reference}/act/approve_production/", {**approval, "confirm": "yes"})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.state == "production_approved"
    made.refresh_from_db()
    assert made.review == "approved" and made.reviewed_by == accounts["counsel"]
    assert matter.reference in text(client_for("custodian").get("/matters/queue/waiting/"))  # to release
    # Never altered after review.
    made.records = {"past_loans": 1}
    with pytest.raises(ProductionLocked):
        made.save()
    # The release: to whom, how, when, by whom — once.
    when = timezone.localtime().replace(second=0, microsecond=0)  # as the form gives it: the same minute
    matter = perform(matter, "release_production", by=accounts["custodian"], recipient="Clerk of Courtroom 4",
                     method="in_person", released_at=when, notes="Receipt signed.")
    assert matter.state == "released"
    release = Release.objects.get(production=made)
    assert (release.recipient, release.method, release.recorded_by) == ("Clerk of Courtroom 4", "in_person",
                                                                         accounts["custodian"])
    assert matter.deadlines.get(kind="return").met_at is not None
    with pytest.raises(ProcedureError, match="not possible"):
        perform(matter, "release_production", by=accounts["custodian"], recipient="Someone else", method="mail",
                released_at=timezone.now())
    assert Release.objects.count() == 1
    record = pdf_text(client_for("director").get(f"/matters/{matter.reference}/productions/1/record.pdf").content)
    assert "Clerk of Courtroom 4" in record and accounts["counsel"].display_name in record
    matter = perform(matter, "close_released", by=accounts["officer"], outcome="released_full")
    assert matter.state == "closed" and matter.outcome == "released_full"
    assert not matter.holds.filter(lifted_at__isnull=True).exists()


def test_sent_back_and_corrected_by_a_new_production_that_supersedes_it(accounts, koha):
    matter, first = compiled(accounts, koha)
    with pytest.raises(ProcedureError, match="Say what is wrong"):
        perform(matter, "return_production", by=accounts["counsel"], production=1, reason=" ")
    matter = perform(matter, "return_production", by=accounts["counsel"], production=1,
                     reason="Fines should be in their own part.")
    assert matter.state == "scope_approved"
    with pytest.raises(ProcedureError, match="Say why"):
        perform(matter, "compile_production", by=accounts["custodian"])
    matter, second = compiled(accounts, koha, matter, reason="Corrected after counsel's review.")
    first.refresh_from_db()
    assert second.number == 2 and second.supersedes == first and first.review == "returned"
    assert second.first_number == first.last_number + 1  # numbers never repeat within a matter
    # Approving the superseded production is refused: the form names the one counsel saw.
    with pytest.raises(ProcedureError, match="no longer the current one"):
        perform(matter, "approve_production", by=accounts["counsel"], production=1)
    matter = perform(matter, "approve_production", by=accounts["counsel"], production=2)
    matter = perform(matter, "release_production", by=accounts["director"], recipient="ADA Example",
                     method="secure_transfer", released_at=timezone.now())
    # After release, a correction is still a new production, reviewed again.
    matter, third = compiled(accounts, koha, matter, reason="A fine was recorded twice in the ILS.")
    assert third.supersedes == second and matter.state == "production_review"
    second.refresh_from_db()
    assert Release.objects.filter(production=second).exists() and second.review == "approved"


def test_compiling_or_releasing_outside_the_procedure_is_refused_and_audited(accounts, koha, client_for):
    set_officer(accounts["officer"])
    matter = matter_at("sufficient", accounts)
    perform(matter, "assign_custodian", by=accounts["director"], custodian=accounts["custodian"])
    with pytest.raises(ProcedureError, match="not possible"):
        perform(matter.pk, "compile_production", by=accounts["custodian"])
    with pytest.raises(ProcedureError, match="not possible"):
        perform(matter.pk, "release_production", by=accounts["director"], recipient="x", method="mail",
                released_at=timezone.now())
    response = client_for("custodian").post(f"/matters/{matter.reference}/act/compile_production/",
                                            {"version": 99})
    assert response.status_code == 409
    refused = [json.loads(e.details) for e in AuditEntry.objects.filter(action="matter.move_refused")]
    assert [r["move"] for r in refused] == ["compile_production", "release_production", "compile_production"]
    assert all(r["state"] == "sufficient" for r in refused)
    assert not Production.objects.exists()
    # Only the custodian the matter names compiles, and only from an approved scope.
    other = approved(accounts, koha)
    with pytest.raises(ProcedureError, match="is for the records custodian"):
        perform(other, "compile_production", by=accounts["director"])
    with pytest.raises(ProcedureError, match="No such matter"):  # another custodian does not even see it
        perform(other, "compile_production", by=make_account("custodian2", "custodian"))
    with pytest.raises(ProcedureError, match="Only the records custodian assigned"):
        perform(other, "compile_production", by=make_account("both", "officer", "custodian"))
    assert AuditEntry.objects.filter(action="matter.move_refused").count() == 5


def test_downloads_are_for_the_people_on_the_matter_each_audited_and_checked(accounts, koha, client_for):
    matter, made = compiled(accounts, koha)
    base = f"/matters/{matter.reference}/productions/1/"
    csv_name = f"CS-{matter.reference}-past_loans.csv"
    for role in ("staff", "auditor", "admin"):
        assert client_for(role).get(base + "files/" + csv_name).status_code in (403, 404)
    response = client_for("counsel").get(base + "files/" + csv_name)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == productions.file_entry(made, csv_name)["sha256"]
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client_for("custodian").get(base + "package.zip")
                                                  .streaming_content)))
    assert {f["name"] for f in made.files} < set(archive.namelist())
    downloads = AuditEntry.objects.filter(action="production.downloaded")
    assert downloads.count() == 2 and json.loads(downloads.last().details)["file"].endswith(".zip")
    assert client_for("counsel").get(base + "files/not-a-file.csv").status_code == 404
    # A file changed on disk is refused, and the refusal audited.
    path = productions.directory(made) / csv_name
    path.chmod(0o640)
    path.write_text(path.read_text() + "extra,row\n")
    response = client_for("counsel").get(base + "files/" + csv_name)
    assert response.status_code == 409 and "no longer matches" in text(response)
    assert AuditEntry.objects.filter(action="production.file_refused").count() == 1
    assert AuditEntry.objects.filter(action="production.downloaded").count() == 2


def test_a_production_without_a_library_system_fails_and_says_why(accounts, koha):
    matter = approved(accounts, koha)
    Connection.objects.all().delete()
    matter, made = compiled(accounts, koha, matter)
    assert made.status == "failed" and "No library system is connected" in made.problem
    assert not productions.directory(made).exists()
    with pytest.raises(ProcedureError, match="could not be compiled"):
        perform(matter, "approve_production", by=accounts["counsel"], production=1)
    assert AuditEntry.objects.filter(action="production.failed").count() == 1


def test_the_api_lists_a_matters_productions_with_their_manifests(accounts, koha, client_for):
    matter, made = compiled(accounts, koha)
    response = client_for("counsel").get(f"/api/v1/matters/{matter.reference}/productions")
    assert response.status_code == 200
    (listed,) = response.json()
    assert listed["number"] == 1 and listed["status"] == "ready" and listed["records"] == made.records
    assert listed["manifest_sha256"] == made.manifest_sha256 and len(listed["files"]) == len(made.files)
    assert client_for("staff").get(f"/api/v1/matters/{matter.reference}/productions").status_code == 403
    assert client_for("custodian").get("/api/v1/matters/2099-9999/productions").status_code == 404
    # The same moves as the pages, over the API.
    moved = client_for("counsel").post(f"/api/v1/matters/{matter.reference}/moves/approve_production", {
        "version": Matter.objects.get(pk=matter.pk).version, "data": {"production": 1, "checked": True}},
        content_type="application/json")
    assert moved.status_code == 200 and moved.json()["state"] == "production_approved"
