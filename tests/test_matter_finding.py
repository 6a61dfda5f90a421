"""Finding matters: the search box (POSTed, never in an address) and the filters of the matters page and the API,
within what the person may open, never looking at the users an instrument designates."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from closedstacks.access.roles import Role
from closedstacks.matters.models import Deadline, Instrument
from closedstacks.matters.paging import PER_PAGE
from closedstacks.matters.procedure import perform
from closedstacks.matters.summary import refresh_all
from tests.conftest import make_account, sign_in
from tests.procedure import instrument_data, matter_at, new_matter, stored_matter

pytestmark = pytest.mark.django_db


def listed(client, url: str = "/matters/queue/open/", **data) -> str:
    response = client.post(url, data) if "q" in data else client.get(url, data)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def references(page: str, *matters) -> set[str]:
    return {m.reference for m in matters if f">{m.reference}</a>" in page}


@pytest.fixture
def three(accounts):
    """An NSL from a federal agency, a subpoena in a state case, an inquiry from a newspaper."""
    nsl = perform(new_matter(accounts, requester_name="Agent Orla Penhaligon", requester_agency="Federal Bureau"),
                  "explain_policy", by=accounts["officer"], explained_to="An agent")
    nsl = perform(nsl, "attach_instrument", by=accounts["director"], **instrument_data(
        type="nsl", case_number="NSL-2026-0042", caption="In re the Letter", designated=[("card", "29990001")]))
    subpoena = matter_at("in_review", accounts)  # CR-2026-118, People v. Doe, Example Police Department
    inquiry = new_matter(accounts, requester_name="Ada Quill", requester_agency="The Harbour Gazette")
    return {"nsl": nsl, "subpoena": subpoena, "inquiry": inquiry}


@pytest.mark.parametrize(("q", "found"), [
    ("nsl-2026-00", "nsl"), ("cr-2026-118", "subpoena"),        # case number, any case
    ("harbour gaz", "inquiry"), ("FEDERAL", "nsl"),            # agency
    ("in re the", "nsl"), ("v. doe", "subpoena"),              # caption
    ("orla penh", "nsl"), ("ada quill", "inquiry"),            # requester's name
])
def test_the_search_finds_by_case_agency_caption_and_requester(three, client_for, q, found):
    page = listed(client_for("director"), q=q)
    assert references(page, *three.values()) == {three[found].reference}


def test_the_search_finds_by_reference_and_by_a_superseded_instrument(three, accounts, client_for):
    matter = three["subpoena"]
    Instrument.objects.filter(matter=matter).update(case_number="OLD-77")
    Instrument.objects.create(matter=matter, type="subpoena", issuing_authority="Court", case_number="NEW-88",
                              received_by=accounts["director"])
    old = Instrument.objects.get(matter=matter, case_number="OLD-77")
    old.superseded_by = Instrument.objects.get(matter=matter, case_number="NEW-88")
    old.save()
    client = client_for("director")
    assert references(listed(client, q=matter.reference.lower()), *three.values()) == {matter.reference}
    assert references(listed(client, q="old-77"), *three.values()) == {matter.reference}


def test_the_search_words_never_go_into_an_address(three, client_for):
    client = client_for("director")
    page = listed(client, q="orla penh")
    assert 'value="orla penh"' in page  # kept in the search box
    addresses = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert addresses and not [address for address in addresses if "orla" in address.lower()]
    # In the address, the words are not searched at all: the list is the whole queue.
    assert references(listed(client, "/matters/queue/open/?q=orla+penh"), *three.values()) == {
        m.reference for m in three.values()}


def test_a_designated_users_card_number_finds_nothing(three, client_for):
    assert references(listed(client_for("director"), q="29990001"), *three.values()) == set()
    assert references(listed(client_for("director"), q="21000000123"), *three.values()) == set()


def test_a_sealed_matter_is_not_found_by_its_case_number_by_someone_not_on_it(accounts, client_for):
    sealed = perform(new_matter(accounts), "explain_policy", by=accounts["officer"], explained_to="An agent")
    sealed = perform(sealed, "attach_instrument", by=accounts["director"], **instrument_data(
        type="nsl", case_number="GAG-5150", nondisclosure=True,
        nondisclosure_until=timezone.localdate() + dt.timedelta(days=90)))
    # The director attached it and is named on it; the other officer is not.
    assert references(listed(client_for("director"), q="gag-5150"), sealed) == {sealed.reference}

    other = sign_in(Client(), make_account("officer2", Role.OFFICER))
    assert references(listed(other, q="gag-5150"), sealed) == set()
    answer = other.post("/api/v1/matters/search", json.dumps({"q": "gag-5150"}), content_type="application/json")
    assert answer.status_code == 200 and sealed.reference not in answer.content.decode()


def test_each_filter_narrows_the_list(three, accounts, client_for):
    client = client_for("director")
    nsl, subpoena, inquiry = three["nsl"], three["subpoena"], three["inquiry"]
    assert references(listed(client, type="nsl"), *three.values()) == {nsl.reference}
    assert references(listed(client, state="in_review"), *three.values()) == {subpoena.reference}
    # The NSL waits on the director (received), the subpoena on counsel (in review), the inquiry on the officer.
    assert references(listed(client, waiting_on="director"), *three.values()) == {nsl.reference}
    assert references(listed(client, waiting_on="counsel"), *three.values()) == {subpoena.reference}
    assert references(listed(client, waiting_on="officer"), *three.values()) == {inquiry.reference}
    today = timezone.localdate()
    Deadline.objects.filter(matter=nsl).update(due_on=today - dt.timedelta(days=2))
    Deadline.objects.filter(matter=subpoena).update(due_on=today + dt.timedelta(days=20))
    Deadline.objects.create(matter=inquiry, kind="return", due_on=today + dt.timedelta(days=3))
    refresh_all()  # the procedure keeps the matters' copies of their next deadline; this test wrote the rows itself
    assert references(listed(client, due="overdue"), *three.values()) == {nsl.reference}
    assert references(listed(client, due="next7"), *three.values()) == {inquiry.reference}
    assert references(listed(client, due="next30"), *three.values()) == {inquiry.reference, subpoena.reference}
    Deadline.objects.filter(matter=inquiry).update(met_at=timezone.now())
    refresh_all()
    assert references(listed(client, due="next7"), *three.values()) == set()
    # Filters and the search together.
    assert references(listed(client, q="2026", type="nsl"), *three.values()) == {nsl.reference}


def test_a_proposed_scope_waits_on_whoever_has_not_approved(accounts, client_for):
    matter = matter_at("scope_proposed", accounts)
    client = client_for("director")
    assert references(listed(client, waiting_on="director_counsel"), matter) == {matter.reference}
    matter = perform(matter, "approve_scope", by=accounts["director"])
    assert references(listed(client, waiting_on="counsel"), matter) == {matter.reference}
    assert references(listed(client, waiting_on="director"), matter) == set()


def test_bad_filters_get_a_clear_error(client_for):
    client = client_for("director")
    response = client.get("/matters/queue/open/", {"type": "nonsense"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    response = client.post("/matters/queue/open/", {"q": "x" * 101})
    assert response.status_code == 400 and "x" * 101 in response.content.decode()  # what was typed is kept
    assert client.get("/api/v1/matters", {"waiting_on": "nobody"}).status_code == 400


def test_the_next_deadline_order_puts_the_soonest_first(accounts, client_for):
    today = timezone.localdate()
    later, sooner, none = (stored_matter(accounts, state="received") for _ in range(3))
    Deadline.objects.create(matter=later, kind="return", due_on=today + dt.timedelta(days=9))
    Deadline.objects.create(matter=sooner, kind="return", due_on=today + dt.timedelta(days=2))
    Deadline.objects.create(matter=sooner, kind="objection", due_on=today - dt.timedelta(days=1),
                            met_at=timezone.now())
    refresh_all()  # as the procedure would have kept them
    page = listed(client_for("director"), order="deadline")
    spots = [page.index(f">{m.reference}</a>") for m in (sooner, later, none)]
    assert spots == sorted(spots)
    row = page.split(f">{sooner.reference}</a>", 1)[1].split("</tr>", 1)[0]
    assert "2 days to the return date" in row and "The director" in row and "—" in row
    api = client_for("director").get("/api/v1/matters", {"order": "deadline"}).json()["items"]
    assert [r["reference"] for r in api][:2] == [sooner.reference, later.reference]


def test_the_pages_keep_the_search_and_the_filters(accounts, client_for):
    now = timezone.now()
    kept = [stored_matter(accounts, state="received", requester_agency="Tidewater Sheriff",
                          at=now - dt.timedelta(minutes=n)) for n in range(PER_PAGE + 5)]
    others = [stored_matter(accounts, state="received", requester_agency="Elsewhere",
                            at=now - dt.timedelta(minutes=n, seconds=30)) for n in range(PER_PAGE)]
    client = client_for("director")
    first = listed(client, q="tidewater")
    assert not [a for a in re.findall(r'(?:href|action)="([^"]*)"', first) if "tidewater" in a.lower()]
    assert references(first, *kept) == {m.reference for m in kept[:PER_PAGE]} and not references(first, *others)
    cursor = first.split('name="after" value="', 1)[1].split('"', 1)[0]
    assert 'method="post"' in first.split('class="pager"', 1)[0].rsplit("<form", 1)[1]
    second = listed(client, q="tidewater", after=cursor.replace("&#x2B;", "+"), order="newest")
    assert references(second, *kept) == {m.reference for m in kept[PER_PAGE:]} and not references(second, *others)
    # By next deadline, paged by number, the search kept too.
    first = listed(client, q="tidewater", order="deadline")
    assert 'name="page" value="2"' in first
    second = listed(client, q="tidewater", order="deadline", page="2")
    assert len(references(second, *kept)) == 5 and not references(second, *others)
    # Filters alone are kept in the address of the next page.
    first = listed(client, type="", due="", state="received")
    assert 'method="get"' in first.split('class="pager"', 1)[0].rsplit("<form", 1)[1]
    assert '<input type="hidden" name="state" value="received">' in first


def test_the_api_searches_and_filters_with_the_same_service(three, client_for):
    client = client_for("director")

    def found(answer) -> set[str]:
        assert answer.status_code == 200, answer.content
        rows = answer.json()
        return {row["reference"] for row in (rows["items"] if isinstance(rows, dict) else rows)}

    search = client.post("/api/v1/matters/search", json.dumps({"q": "harbour"}), content_type="application/json")
    assert found(search) == {three["inquiry"].reference}
    card = client.post("/api/v1/matters/search", json.dumps({"q": "29990001"}), content_type="application/json")
    assert found(card) == set()
    assert found(client.get("/api/v1/matters", {"type": "nsl"})) == {three["nsl"].reference}
    assert found(client.get("/api/v1/matters", {"waiting_on": "counsel"})) == {three["subpoena"].reference}
