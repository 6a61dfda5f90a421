"""The query planner's statistics. PostgreSQL keeps them itself (autovacuum analyzes tables as they change);
SQLite keeps none until told to, and without them plans a list of 100,000 matters on guesses — taking a
``state IN (…)`` filter for selective and sorting every open matter rather than reading an index in order.
``closedstacks migrate``, ``serve`` and ``demo`` refresh them on SQLite (a second or two for a library of
years); so does the benchmark, after it has loaded its matters."""

from __future__ import annotations

from django.db import connection


def refresh_statistics() -> bool:
    """Gather the planner's statistics where the database does not keep them itself; whether it did."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True
