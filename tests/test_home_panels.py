"""The home page keeps its panels until the trail records a change (web/home.py, audit/quiet.py): a change shows
at once, a look changes nothing and costs nothing, and the partial index the latest change is read from is the
one the query names."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from closedstacks.audit import quiet
from closedstacks.audit.models import AuditEntry
from tests.procedure import matter_at, new_matter

pytestmark = pytest.mark.django_db


def queries_for(client, url: str = "/") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_change_shows_at_once_and_a_look_costs_nothing(accounts, client_for):
    matter = matter_at("received", accounts)
    director = client_for("director")
    first, page = queries_for(director)
    assert "Open matters: 1" in page
    again, page = queries_for(director)
    assert again < first - 5 and "Open matters: 1" in page  # kept: the panels' queries are not made again
    # Opening a matter is recorded on the trail, but changes nothing the panels show.
    assert director.get(f"/matters/{matter.reference}/").status_code == 200
    assert AuditEntry.objects.order_by("-seq").first().action == "matter.viewed"
    after_look, _page = queries_for(director)
    assert after_look == again
    # A new inquiry is a change: the next home page counts it.
    new_matter(accounts)
    changed, page = queries_for(director)
    assert changed == first and "Open matters: 2" in page


def test_each_person_and_language_has_their_own(accounts, client_for):
    matter_at("received", accounts)
    director, officer = client_for("director"), client_for("officer")
    queries_for(director)
    assert "Open matters: 1" in queries_for(officer)[1]
    director.cookies.load({"django_language": "es"})
    page = queries_for(director)[1]
    assert "Asuntos abiertos: 1" in page and "Open matters" not in page


def test_the_latest_change_is_read_from_its_partial_index(accounts):
    new_matter(accounts)
    last = AuditEntry.objects.exclude(action__in=quiet.QUIET).order_by("-seq").first()
    assert quiet.latest_change() == (last.seq, last.hash)
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + quiet.LATEST_CHANGE)
        plan = " ".join(str(part) for row in cursor.fetchall() for part in row)
        if connection.vendor != "sqlite":
            # A tiny table may be read whole: the index must at least exist, with the same condition.
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [quiet.INDEX])
            definition = cursor.fetchone()[0]
            assert all(f"'{action}'" in definition for action in quiet.QUIET)
            return
    assert quiet.INDEX in plan
