"""Legal holds: placed when an instrument designating users arrives, lifted only when the matter closes."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from closedstacks.audit.models import AuditEntry
from closedstacks.matters.procedure import perform
from closedstacks.records.models import LegalHold
from tests.conftest import make_account, sign_in, text
from tests.procedure import instrument_data, matter_at, set_officer


def test_an_instrument_designating_users_holds_their_records_at_once(accounts, client_for):
    set_officer(accounts["officer"])
    matter = matter_at("received", accounts)
    holds = list(LegalHold.objects.filter(matter=matter))
    assert len(holds) == 2 and all(h.lifted_at is None for h in holds)
    assert {h.designated.value for h in holds} == {"21000000123", "Jordan Example"}
    assert all(h.record_kinds == ["past_loans", "holds"] for h in holds)
    assert all((h.date_from, h.date_to) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31)) for h in holds)
    placed = AuditEntry.objects.filter(action="hold.placed")
    assert placed.count() == 2
    for entry in placed:  # the trail names the hold and the matter, never the user
        assert "21000000123" not in entry.details and "Jordan" not in entry.details
        assert matter.reference in entry.details
    page = text(client_for("director").get(f"/matters/{matter.reference}/"))
    assert "Legal holds" in page and "in force" in page


def test_the_custodians_list_shows_holds_on_their_matters_only_and_names_nobody(accounts, client_for):
    set_officer(accounts["officer"])
    matter = matter_at("received", accounts)
    perform(matter, "assign_custodian", by=accounts["director"], custodian=accounts["custodian"])
    other = matter_at("received", accounts)  # not assigned to the custodian
    listed = text(client_for("custodian").get("/holds/"))
    assert matter.reference in listed and other.reference not in listed
    assert "21000000123" not in listed and "Jordan Example" not in listed
    officer = text(client_for("officer").get("/holds/"))
    assert matter.reference in officer and other.reference in officer
    outsider = sign_in(Client(), make_account("custodian2", "custodian"))
    assert matter.reference not in text(outsider.get("/holds/"))
    for role in ("staff", "auditor", "admin"):
        assert client_for(role).get("/holds/").status_code == 403


def test_holds_are_lifted_when_the_matter_closes_and_not_before(accounts, client_for):
    set_officer(accounts["officer"])
    matter = matter_at("sufficient", accounts)
    assert LegalHold.objects.in_force().filter(matter=matter).count() == 2
    perform(matter, "withdraw", by=accounts["director"], reason="The requester withdrew the subpoena.")
    assert LegalHold.objects.in_force().filter(matter=matter).count() == 0
    lifted = AuditEntry.objects.filter(action="hold.lifted")
    assert lifted.count() == 2 and all(matter.reference in e.details for e in lifted)
    assert LegalHold.objects.filter(matter=matter, lifted_by=accounts["director"]).count() == 2
    assert "No hold is in force" in text(client_for("officer").get("/holds/"))


def test_a_cured_instrument_adds_its_holds_and_the_first_ones_stay_until_the_end(accounts):
    set_officer(accounts["officer"])
    matter = matter_at("defective", accounts)
    perform(matter, "cure", by=accounts["director"], **instrument_data(
        designated=[("card", "21000000456")], record_kinds=["current_loans"]))
    in_force = LegalHold.objects.in_force().filter(matter=matter)
    assert in_force.count() == 3
    assert {h.designated.value for h in in_force} == {"21000000123", "Jordan Example", "21000000456"}


def test_a_preservation_request_holds_everything_it_names(accounts):
    set_officer(accounts["officer"])
    matter = matter_at("explained", accounts)
    perform(matter, "attach_instrument", by=accounts["director"], **instrument_data(
        type="preservation_request", record_kinds=[], date_from=None, date_to=None,
        designated=[("username", "jexample")]))
    hold = LegalHold.objects.get(matter=matter)
    assert hold.record_kinds == [] and hold.date_from is None and hold.kind_labels() == ["every kind of record"]


def test_a_matter_with_no_instrument_holds_nothing(accounts):
    set_officer(accounts["officer"])
    matter = matter_at("explained", accounts)
    perform(matter, "decline", by=accounts["officer"])
    assert not LegalHold.objects.exists()
