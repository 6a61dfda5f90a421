"""Counting before approval, and legal holds found in the library system: against a real (SQLite) Evergreen."""

from __future__ import annotations

import json
import sqlite3

import pytest

from closedstacks.audit.models import AuditEntry
from closedstacks.ils import generators
from closedstacks.ils.connectors.db import ConnectionSettings
from closedstacks.ils.models import Connection
from closedstacks.matters.procedure import perform
from closedstacks.records.models import LegalHold
from tests.conftest import run_jobs, text
from tests.procedure import instrument_data, matter_at, set_officer


@pytest.fixture
def library(tmp_path, accounts):
    """An Evergreen-shaped library in SQLite, connected; two of its cards."""
    path = tmp_path / "evergreen.sqlite3"
    generators.get("evergreen")(ConnectionSettings(driver="sqlite", database=str(path)), users=60, loans=2000)
    Connection.objects.create(name="evergreen", connector="evergreen", driver="sqlite", database=str(path))
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT c.barcode, c.usr FROM actor_card c JOIN actor_usr u ON u.id = c.usr "
                          "WHERE c.active AND NOT u.deleted ORDER BY c.usr LIMIT 2").fetchall()
    set_officer(accounts["officer"])
    return {"path": path, "cards": [r[0] for r in rows], "ids": [str(r[1]) for r in rows]}


def matter_for(accounts, cards, **extra):
    matter = matter_at("explained", accounts)
    return perform(matter, "attach_instrument", by=accounts["director"], **instrument_data(
        designated=[("card", c) for c in cards] + [("card", "no-such-card")],
        record_kinds=["past_loans", "holds", "fines"], date_from=None, date_to=None, **extra))


def test_holds_are_found_in_the_library_system_after_the_instrument_arrives(library, accounts):
    matter = matter_for(accounts, library["cards"])
    assert run_jobs() >= 1
    holds = {h.designated.value: h.ils_user_ids for h in LegalHold.objects.filter(matter=matter)}
    assert holds == {library["cards"][0]: [library["ids"][0]], library["cards"][1]: [library["ids"][1]],
                     "no-such-card": []}
    resolved = AuditEntry.objects.filter(action="hold.resolved")
    assert resolved.count() == 3 and all(library["cards"][0] not in e.details for e in resolved)


def test_counsel_and_the_custodian_see_counts_per_kind_and_nothing_else(library, accounts, client_for):
    matter = matter_for(accounts, library["cards"])
    perform(matter, "assign_counsel", by=accounts["director"], counsel=accounts["counsel"])
    perform(matter.pk, "assign_custodian", by=accounts["director"], custodian=accounts["custodian"])
    with sqlite3.connect(library["path"]) as db:  # the test's own bound: loans (chain heads) of the two users
        loans = db.execute("SELECT COUNT(*) FROM action_circulation WHERE usr IN (?, ?) AND parent_circ IS NULL",
                           library["ids"]).fetchone()[0]
    counsel = client_for("counsel")
    assert "Count now" in text(counsel.get(f"/matters/{matter.reference}/counts/"))
    page = text(counsel.post(f"/matters/{matter.reference}/counts/"))
    assert "Past loans (circulation history)" in page and "Holds and requests" in page
    assert "Fines and fees" in page  # designated, but Evergreen's connector does not offer it
    assert "not found in the library system" in page
    entry = AuditEntry.objects.get(action="records.counted")
    assert '"found":2' in entry.details and '"not_found":1' in entry.details
    counts = json.loads(entry.details)["counts"]
    assert 0 < counts["past_loans"] <= loans
    for role in ("custodian", "director"):
        assert client_for(role).post(f"/matters/{matter.reference}/counts/").status_code == 200
    assert client_for("officer").get(f"/matters/{matter.reference}/counts/").status_code == 403
    assert client_for("staff").get(f"/matters/{matter.reference}/counts/").status_code in (403, 404)


def test_counting_with_no_library_system_connected_says_so(accounts, client_for):
    set_officer(accounts["officer"])
    matter = matter_at("in_review", accounts)
    response = client_for("counsel").post(f"/matters/{matter.reference}/counts/")
    assert response.status_code == 409 and "No library system is connected" in text(response)
