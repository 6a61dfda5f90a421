"""A legal hold is never silently a hold on nobody: a designated user who matches no one, or several people, in
the library system is a warning on the matter and on the home page, and retention will not start until it is put
right — saying which matter, by reference, to those who may open it."""

from __future__ import annotations

import sqlite3

import pytest
from django.test import Client

from closedstacks.matters.procedure import perform
from closedstacks.records.models import LegalHold
from closedstacks.retention import runs
from closedstacks.retention.models import RetentionRun
from closedstacks.retention.services import PolicyError
from tests.conftest import make_account, run_jobs, sign_in, text
from tests.procedure import instrument_data, matter_at, set_officer
from tests.test_retention_runs import build, held_card, loans


def _two_of_one_name(where) -> None:
    with sqlite3.connect(where.database) as db:
        for card in ("29990000000001", "29990000000002"):
            db.execute("INSERT INTO borrowers (cardnumber, surname, firstname, branchcode, categorycode, privacy) "
                       "VALUES (?, 'Núñez', 'Ana', 'MAIN', 'PT', 1)", (card,))


def _hold_matter(accounts, designated):
    set_officer(accounts["officer"])
    matter = matter_at("explained", accounts)
    return perform(matter, "attach_instrument", by=accounts["director"], **instrument_data(
        type="preservation_request", designated=designated, record_kinds=["past_loans"]))


def test_a_hold_on_no_one_or_on_several_people_is_shown_and_stops_retention(accounts, tmp_path, client_for):
    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    _two_of_one_name(library["where"])
    card, _user = held_card(library["where"])
    good = _hold_matter(accounts, [("card", card)])
    bad = _hold_matter(accounts, [("card", "00000000000000"), ("name", "NÚÑEZ, Ana")])
    run_jobs()  # the holds are looked up in the library system
    states = {h.designated.value: h.resolution for h in LegalHold.objects.filter(matter=bad)}
    assert states == {"00000000000000": "not_found", "NÚÑEZ, Ana": "ambiguous"}
    assert LegalHold.objects.get(matter=good).resolution == "found"

    page = text(client_for("officer").get(f"/matters/{bad.reference}/"))
    assert "holds-attention" in page and "matches no one" in page and "matches several people" in page
    assert "holds-attention" not in text(client_for("officer").get(f"/matters/{good.reference}/"))
    home = text(client_for("officer").get("/"))
    assert "Legal holds that need attention" in home and bad.reference in home and good.reference not in home
    assert "Legal holds that need attention" not in text(client_for("staff").get("/"))

    before = loans(library["where"])
    with pytest.raises(PolicyError, match=bad.reference) as refused:
        runs.start(library["connection"], by=accounts["officer"])
    assert good.reference not in str(refused.value)
    assert not RetentionRun.objects.filter(dry_run=False).exists()
    # A dry run changes nothing and may still show the numbers.
    assert runs.execute(runs.start(library["connection"], by=accounts["officer"], dry_run=True)).status == "done"
    assert loans(library["where"]) == before

    # Withdrawn, the matter's holds are lifted: retention runs, and still keeps what the other hold covers.
    perform(bad, "withdraw", by=accounts["director"], reason="The agency withdrew the request.")
    run = runs.execute(runs.start(library["connection"], by=accounts["officer"]))
    assert run.status == "done" and loans(library["where"]) != before
    assert run.progress["past_loans"]["kept_for_holds"] > 0


def test_an_amended_instrument_replaces_the_holds_that_matched_no_one(accounts, tmp_path):
    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    card, _user = held_card(library["where"])
    set_officer(accounts["officer"])
    matter = matter_at("defective", accounts)  # its instrument names "Jordan Example", who is no one here
    run_jobs()
    assert any(h.protects_nobody for h in LegalHold.objects.in_force().filter(matter=matter))
    with pytest.raises(PolicyError, match=matter.reference):
        runs.start(library["connection"], by=accounts["officer"])
    perform(matter, "cure", by=accounts["director"], **instrument_data(designated=[("card", card)]))
    run_jobs()
    in_force = LegalHold.objects.in_force().filter(matter=matter)
    assert not any(h.protects_nobody for h in in_force) and in_force.filter(designated__value=card).exists()
    assert runs.start(library["connection"], by=accounts["officer"]).status == "queued"


def test_a_hold_placed_during_a_run_on_no_one_stops_the_run_and_changes_nothing_more(accounts, tmp_path):
    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    run = runs.start(library["connection"], by=accounts["officer"])
    _hold_matter(accounts, [("card", "00000000000000")])
    before = loans(library["where"])
    run = runs.execute(run)
    assert run.status == "failed" and "Retention waits" in run.problem
    assert loans(library["where"]) == before


def test_the_refusal_names_only_matters_the_person_may_open(accounts, tmp_path):
    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    set_officer(accounts["officer"])
    matter = matter_at("explained", accounts)
    sealed = perform(matter, "attach_instrument", by=accounts["director"], **instrument_data(
        type="preservation_request", designated=[("card", "00000000000000")], nondisclosure=True))
    outsider = make_account("officer2", "officer")
    with pytest.raises(PolicyError) as refused:
        runs.start(library["connection"], by=outsider)
    assert sealed.reference not in str(refused.value) and "a matter you may not open" in str(refused.value)
    assert sealed.reference not in text(sign_in(Client(), outsider).get("/"))
    with pytest.raises(PolicyError, match=sealed.reference):
        runs.start(library["connection"], by=accounts["officer"])


def test_a_name_with_a_date_of_birth_tells_people_of_one_name_apart(accounts, tmp_path):
    import datetime as dt

    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    _two_of_one_name(library["where"])
    with sqlite3.connect(library["where"].database) as db:
        db.execute("UPDATE borrowers SET dateofbirth = '1980-05-04' WHERE cardnumber = '29990000000002'")
    matter = _hold_matter(accounts, [("name", "  Ana   NÚÑEZ "), ("name", "Ana Núñez", dt.date(1980, 5, 4))])
    run_jobs()
    holds = {h.designated.date_of_birth: h for h in LegalHold.objects.filter(matter=matter)}
    assert holds[None].resolution == "ambiguous" and holds[None].designated.value == "Ana NÚÑEZ"
    assert holds[dt.date(1980, 5, 4)].resolution == "found"
    assert "1980-05-04" in str(holds[dt.date(1980, 5, 4)].designated)


@pytest.mark.django_db
def test_the_database_finds_exactly_the_holds_that_protect_nobody(accounts):
    """The home page asks the database for the holds needing attention; it finds exactly those the model says."""
    import datetime as dt

    from django.utils import timezone

    from closedstacks.records.models import LegalHold
    from tests.procedure import matter_at

    matter = matter_at("received", accounts)
    hold = LegalHold.objects.filter(matter=matter).first()
    cases = [([], None), ([], timezone.now()), (["7"], None), (["7"], timezone.now()), (["7", "8"], timezone.now()),
             (["7", "8", "9"], None)]
    made = []
    for ids, resolved in cases:
        hold.pk = None
        hold.ils_user_ids, hold.resolved_at = ids, resolved
        hold.save()
        made.append(hold.pk)
    lifted = LegalHold.objects.get(pk=made[-1])
    lifted.lifted_at, lifted.lifted_by = timezone.now() - dt.timedelta(minutes=1), accounts["director"]
    lifted.save()
    everything = LegalHold.objects.filter(pk__in=made)
    expected = {h.pk for h in everything if h.protects_nobody}
    assert {h.pk for h in everything.protecting_nobody()} == expected
    assert expected == {made[1], made[4]}  # looked up and found no one; found two people
