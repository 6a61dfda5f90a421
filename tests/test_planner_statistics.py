"""The query planner's statistics (conf/planner.py): gathered on SQLite, which keeps none by itself, and left to
PostgreSQL's autovacuum there."""

from __future__ import annotations

import pytest
from django.db import connection

from closedstacks.conf.planner import refresh_statistics
from tests.procedure import matter_at

pytestmark = pytest.mark.django_db


def test_sqlite_gathers_them_and_postgresql_keeps_its_own(accounts):
    matter_at("received", accounts)
    gathered = refresh_statistics()
    if connection.vendor != "sqlite":
        assert gathered is False
        return
    assert gathered is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl, idx FROM sqlite_stat1 WHERE tbl = 'matters_matter'")
        indexes = {row[1] for row in cursor.fetchall()}
    assert {"matter_state_logged", "matter_next_due"} <= indexes
