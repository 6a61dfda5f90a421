"""The matters' copies of their current instrument and next deadline (matters/summary.py), which the lists read
instead of each matter's instruments and deadlines: kept true by every move, a cure and an extension; what a
migration or a repair recomputes from the rows agrees with them; the deadline order reads them in two parts.
And the SQLite search index (matters/search_index.py), kept by triggers, finds what the plain search found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from closedstacks.matters import queues, search_index, summary
from closedstacks.matters.casefile import extend_deadline
from closedstacks.matters.finding import Narrowing, searched
from closedstacks.matters.models import Deadline, Instrument, Matter
from closedstacks.matters.procedure import perform
from tests.procedure import instrument_data, matter_at, new_matter, stored_matter

pytestmark = pytest.mark.django_db


def copies(matter: Matter) -> tuple:
    matter.refresh_from_db()
    return tuple(getattr(matter, name) for name in summary.FIELDS)


def recomputed(matter: Matter) -> tuple:
    fresh = Matter.objects.get(pk=matter.pk)
    summary.refresh(fresh)
    return tuple(getattr(fresh, name) for name in summary.FIELDS)


def test_every_change_keeps_the_copies_true(accounts):
    matter = new_matter(accounts)
    assert copies(matter) == ("", "", None, "")
    matter = matter_at("defective", accounts)
    first = matter.current_instrument()
    due = matter.deadlines.filter(met_at__isnull=True).order_by("due_on", "pk").first()
    assert copies(matter) == (first.type, first.case_number, due.due_on, due.kind) == recomputed(matter)
    # A cure brings another instrument, of another type and case; the cure deadline is met.
    matter = perform(matter, "cure", by=accounts["director"], **instrument_data(
        type="court_order", case_number="", caption="In re Records of the Library"))
    assert copies(matter)[:2] == ("court_order", "In re Records of the Library")  # no case number: the caption
    assert copies(matter) == recomputed(matter)
    assert not matter.deadlines.filter(kind="cure", met_at__isnull=True).exists()
    # An extension moves the next deadline.
    deadline = matter.deadlines.filter(met_at__isnull=True).order_by("due_on", "pk").first()
    later = max(d.due_on for d in matter.deadlines.filter(met_at__isnull=True)) + dt.timedelta(days=40)
    extend_deadline(matter.reference, deadline.pk, by=accounts["director"], to_day=later, agreed_with="ADA Perrin",
                    reason="Time to review the order")
    assert copies(matter) == recomputed(matter) and copies(matter)[2] != deadline.due_on
    # Closed: no next deadline, though the rows stay unmet.
    matter = perform(matter, "withdraw", by=accounts["officer"], reason="Requester gave up.")
    assert copies(matter)[2:] == (None, "") and copies(matter)[0] == "court_order"
    assert matter.deadlines.filter(met_at__isnull=True).exists()


def test_the_list_shows_and_filters_by_the_current_instrument(accounts, client_for):
    matter = matter_at("defective", accounts)
    perform(matter, "cure", by=accounts["director"], **instrument_data(type="court_order", case_number="CO-9"))
    client = client_for("director")
    page = client.get("/matters/queue/open/", {"type": "court_order"}).content.decode()
    row = page.split(f">{matter.reference}</a>", 1)[1].split("</tr>", 1)[0]
    assert "Court order" in row and "CO-9" in row
    assert f">{matter.reference}</a>" not in client.get("/matters/queue/open/", {"type": "subpoena_duces_tecum"}
                                                        ).content.decode()


def test_recomputing_every_matter_gives_what_the_procedure_kept(accounts):
    made = [new_matter(accounts), matter_at("received", accounts), matter_at("sufficient", accounts)]
    made.append(perform(matter_at("received", accounts), "withdraw", by=accounts["officer"], reason="Gone."))
    kept = {m.pk: copies(m) for m in made}
    Matter.objects.update(instrument_type="x", instrument_case="x", next_due_on=dt.date(2000, 1, 1),
                          next_due_kind="x")
    assert summary.refresh_all() == Matter.objects.count()
    assert {m.pk: copies(m) for m in made} == kept


def test_the_deadline_order_reads_the_dated_then_the_undated_across_pages(accounts):
    today = timezone.localdate()
    start = timezone.now()
    dated = [stored_matter(accounts, state="received", at=start - dt.timedelta(minutes=n)) for n in range(5)]
    undated = [stored_matter(accounts, state="received", at=start - dt.timedelta(hours=1, minutes=n))
               for n in range(4)]
    for days, matter in zip([4, 1, 3, 0, 2], dated):
        Deadline.objects.create(matter=matter, kind="return", due_on=today + dt.timedelta(days=days))
    summary.refresh_all()
    soonest = [dated[3], dated[1], dated[4], dated[2], dated[0]]
    expected = [m.reference for m in soonest + undated]  # then the undated, newest first
    director = accounts["director"]
    pages = [[row["reference"] for row in queues.page_by_deadline(director, "open", number=n, size=3,
                                                                   narrowing=Narrowing(order="deadline"))]
             for n in (1, 2, 3, 4)]
    # Each page holds its three and one more (there is a next page), the last one fewer.
    assert [page[:3] for page in pages] == [expected[0:3], expected[3:6], expected[6:9], []]
    assert [len(page) for page in pages] == [4, 4, 3, 0]


def test_the_search_index_finds_what_the_fields_hold_and_nothing_else(accounts):
    subpoena = matter_at("in_review", accounts)  # CR-2026-118, People v. Doe, Example Police Department
    other = new_matter(accounts, requester_name="Ada Quill", requester_agency="50% Off_Books \"Weekly\"")
    old = subpoena.current_instrument()
    perform(matter_at("defective", accounts), "withdraw", by=accounts["officer"], reason="Gone.")

    def found(q: str) -> set[str]:
        return set(Matter.objects.filter(searched(q)).values_list("reference", flat=True))

    assert found("cr-2026-118") >= {subpoena.reference} and other.reference not in found("cr-2026-118")
    assert found("ADA QUILL") == {other.reference}                              # any case
    assert found("50%") == {other.reference} and found("f_b") == {other.reference}  # wildcards taken literally
    assert found('"weekly"') == {other.reference} and found('"') == {other.reference}
    assert found("%") == {other.reference} and found("_") == {other.reference}
    assert found("da") >= {other.reference}                                     # shorter than a trigram
    assert found(subpoena.reference.lower()) == {subpoena.reference}
    # Never a designated user's identifier, never across two fields.
    card = old.designated_users.first().value
    assert found(card) == set()
    assert found("quill50%") == set() and found(f"{subpoena.reference}det") == set()
    # An instrument added or changed by any means is found at once (on SQLite: the triggers).
    Instrument.objects.filter(pk=old.pk).update(case_number="ZZ-4242")
    assert found("zz-4242") == {subpoena.reference} and subpoena.reference not in found("cr-2026-118")
    Instrument.objects.create(matter=other, type="subpoena", issuing_authority="Court", case_number="YY-77",
                              received_by=accounts["director"])
    assert found("yy-77") == {other.reference}
    Instrument.objects.filter(matter=other).delete()
    assert found("yy-77") == set()


def test_the_search_has_an_index_on_either_engine():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert search_index.available()
            sql, params = Matter.objects.filter(searched("cr-2026")).values("pk").query.sql_with_params()
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan and ":M" in plan  # a MATCH in the trigram index, not a scan
        else:
            assert search_index.available()  # PostgreSQL: its trigram indexes, one per field
            sql, params = Matter.objects.filter(searched("cr-2026")).values("pk").query.sql_with_params()
            cursor.execute("SET enable_seqscan = off")  # a tiny table would be read whole: ask for the index
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "matters_matter_reference_trgm" in plan and "matters_instrument_case_number_trgm" in plan


def test_a_search_among_the_latest_or_by_its_few_matches_gives_the_same_pages_as_the_index(accounts, monkeypatch):
    start = timezone.now()
    made = []
    for n in range(14):  # every other from the Tidewater Sheriff, the rest from elsewhere; one rare case number
        agency = "Tidewater Sheriff" if n % 2 == 0 else "Elsewhere"
        made.append(stored_matter(accounts, state="in_review" if n % 3 == 0 else "received",  # the latest of each
                                  requester_agency=agency, at=start - dt.timedelta(minutes=n)))  # state, merged
    rare = made[13]
    Instrument.objects.create(matter=rare, type="subpoena", issuing_authority="Court", case_number="RARE-31337",
                              received_by=accounts["director"])
    director = accounts["director"]
    asked = []
    real = queues._searched_among_the_latest
    monkeypatch.setattr(queues, "_searched_among_the_latest", lambda *a: asked.append(real(*a)) or asked[-1])
    monkeypatch.setattr(queues, "LATEST", 6)
    monkeypatch.setattr(queues, "FEW", 3)  # seven Tidewater matters are many; one rare case number is few

    def pages(q: str) -> list[list[str]]:
        shown, after = [], None
        while True:
            rows = queues.page(director, "open", after=after, size=3, narrowing=Narrowing(q=q))
            shown.append([row["reference"] for row in rows])
            if len(rows) < 3:
                return shown
            after = (rows[-1]["logged_at"], rows[-1]["pk"])

    tidewater = [m.reference for m in made if m.requester_agency == "Tidewater Sheriff"]
    found = [ref for page in pages("tidewater") for ref in page]
    assert found == tidewater  # newest first, every one, none twice
    assert any(rows is not None for rows in asked)  # some pages came from the latest matters alone
    asked.clear()
    assert pages("rare-31337") == [[rare.reference]]
    if connection.vendor == "sqlite":
        assert asked == []  # few matches: read from their ids, looked up in the index, without the latest
    else:
        assert all(rows is None for rows in asked)  # PostgreSQL: too few among the latest, then the index
