"""Pages cost the same number of queries however many matters, instruments and events there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from closedstacks.matters.procedure import perform
from tests.procedure import matter_at, new_matter, set_officer

pytestmark = pytest.mark.django_db

PAGES = ["/", "/matters/queue/waiting/", "/matters/queue/open/", "/matters/queue/closed/", "/matters/deadlines/",
         "/api/v1/matters?queue_name=open"]


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_queue_pages_and_the_matter_page_do_not_grow_with_the_data(accounts, client_for):
    set_officer(accounts["officer"])
    target = matter_at("scope_approved", accounts)
    for state in ("in_review", "received", "withdrawn"):
        matter_at(state, accounts) if state != "withdrawn" else perform(
            new_matter(accounts), "withdraw", by=accounts["director"], reason="Gone.")
    director = client_for("director")
    detail = f"/matters/{target.reference}/"
    before = {url: count(director, url) for url in PAGES + [detail]}

    # Much more of everything: matters in every state, and a longer history on the target itself.
    for state in ("referred", "received", "in_review", "defective", "sufficient", "scope_proposed",
                  "scope_approved"):
        for _ in range(3):
            matter_at(state, accounts)
    for _ in range(10):
        new_matter(accounts)
    for n in range(6):
        perform(target, "refer_incident", by=accounts["officer"], summary=f"Call number {n}.")
    after = {url: count(director, url) for url in PAGES + [detail]}
    assert after == before


def test_a_matters_current_instrument_is_found_by_its_own_instruments_not_by_walking_all(accounts):
    """SQLite takes "superseded_by IS NULL" on the unique index for one row and would walk every current
    instrument of the library to find one matter's; the lookups are written so that no database does."""
    from closedstacks.matters.models import Instrument

    matter = matter_at("received", accounts)
    plans = [matter.instruments.current().order_by("-pk").explain(),
             Instrument.objects.current().filter(matter_id__in=[matter.pk]).explain()]
    assert matter.current_instrument() == matter.instruments.get()
    if connection.vendor == "sqlite":
        for plan in plans:
            assert "matter_id" in plan and "superseded_by" not in plan, plan
