"""The director's dashboard: its figures are the database's, counted under the viewer's own access; every figure
links to the list behind it, and that list shows exactly what the figure counts; a role sees only its tiles."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from closedstacks.access.roles import Role
from closedstacks.dashboard.tiles import tiles_for
from closedstacks.incidents.models import Incident
from closedstacks.matters.models import Deadline, DesignatedUser, MatterMember
from closedstacks.records.models import LegalHold
from tests.conftest import make_account, sign_in, text
from tests.procedure import stored_matter


def figures(user) -> dict[tuple[str, str], tuple[str, str | None]]:
    return {(tile.key, figure.label): (figure.value, figure.url) for tile in tiles_for(user) for figure in tile.figures}


def references(client, url: str) -> set[str]:
    return set(re.findall(r'href="/matters/(T-\d+)/"', client.get(url).content.decode()))


@pytest.fixture
def library(accounts):
    today = timezone.localdate()
    made = {"defective": [stored_matter(accounts, state="defective", types=["subpoena"]) for _ in range(2)],
            "review": [stored_matter(accounts, state="production_review", types=["subpoena_duces_tecum"])],
            "received": [stored_matter(accounts, state="received", types=["court_order"]) for _ in range(3)],
            "closed": [stored_matter(accounts, state="closed", outcome="released_full", types=["subpoena"])]}
    # Under a nondisclosure order, nobody named: counted for no one (the director sees it only once named).
    made["gagged"] = stored_matter(accounts, state="defective", types=["nsl"], gag_until=today + dt.timedelta(90))
    on = made["received"][0]
    Deadline.objects.create(matter=on, kind="return", due_on=today - dt.timedelta(days=2))
    Deadline.objects.create(matter=on, kind="objection", due_on=today + dt.timedelta(days=5))
    Deadline.objects.create(matter=made["received"][1], kind="return", due_on=today + dt.timedelta(days=30))
    Deadline.objects.create(matter=made["gagged"], kind="return", due_on=today - dt.timedelta(days=1))
    Deadline.objects.create(matter=made["closed"][0], kind="return", due_on=today - dt.timedelta(days=9))
    instrument = on.instruments.get()
    person = DesignatedUser.objects.create(instrument=instrument, identifier_type="card", value="21000000123")
    LegalHold.objects.create(matter=on, instrument=instrument, designated=person, placed_by=accounts["director"])
    Incident.objects.create(kind="threat", what="shouting", reported_by=accounts["staff"],
                            due_at=timezone.now() - dt.timedelta(days=1))
    return made


def test_the_figures_are_the_database_under_the_viewers_access(accounts, library):
    director = accounts["director"]
    found = figures(director)
    assert found[("matters", "Open matters")][0] == "6"  # 2 defective + 1 in review + 3 received; not the gagged
    assert found[("gates", "Defects awaiting cure")][0] == "2"
    assert found[("gates", "Productions awaiting counsel's review")][0] == "1"
    assert found[("deadlines", "Overdue")][0] == "1"  # not the gagged matter's, not the closed one's
    assert found[("deadlines", "Due in the next 14 days")][0] == "1"
    assert found[("holds", "In force")][0] == "1"
    assert found[("incidents", "Overdue")][0] == "1"
    # Named on the gagged matter, the director counts it too.
    MatterMember.objects.create(matter=library["gagged"], user=director)
    found = figures(director)
    assert found[("gates", "Defects awaiting cure")][0] == "3" and found[("deadlines", "Overdue")][0] == "2"


def test_every_figure_opens_the_list_it_counts(accounts, library):
    director = accounts["director"]
    client = sign_in(Client(), director)
    found = figures(director)
    for (tile, label), (_value, url) in found.items():
        if url:
            assert client.get(url).status_code == 200, (tile, label, url)
    defects = references(client, found[("gates", "Defects awaiting cure")][1])
    assert defects == {m.reference for m in library["defective"]}
    review = references(client, found[("gates", "Productions awaiting counsel's review")][1])
    assert review == {m.reference for m in library["review"]}
    overdue = references(client, found[("deadlines", "Overdue")][1])
    assert overdue == {library["received"][0].reference}
    soon = references(client, found[("deadlines", "Due in the next 14 days")][1])
    assert soon == {library["received"][0].reference}
    page = text(client.get("/dashboard/"))
    assert "Open matters by state" in page and "Defects awaiting cure" in page
    assert client.get("/matters/queue/open/?state=nonsense").status_code == 404
    assert client.get("/matters/deadlines/?due=someday").status_code == 404


@pytest.mark.parametrize("role,status", [("director", 200), ("officer", 200), ("counsel", 403), ("staff", 403),
                                         ("custodian", 403), ("auditor", 403), ("admin", 403)])
def test_who_sees_the_dashboard(accounts, client_for, role, status):
    assert client_for(role).get("/dashboard/").status_code == status


def test_a_tile_shows_only_to_those_who_may_open_its_list(accounts, library):
    director_keys = {tile.key for tile in tiles_for(accounts["director"])}
    assert {"matters", "gates", "deadlines", "holds", "incidents", "training", "retention", "audit"} <= director_keys
    # The trail's verification is a status; it links to the trail only for those who may read it.
    assert figures(accounts["director"])[("audit", "Verification")][1] is None
    both = make_account("director-auditor", Role.DIRECTOR, Role.AUDITOR)
    assert figures(both)[("audit", "Verification")][1] == "/audit/"
