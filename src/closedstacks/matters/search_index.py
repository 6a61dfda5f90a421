"""The matters search on SQLite, through its index (migration 0015): an FTS5 table of trigrams, one row per
matter, kept by triggers. A search of three characters or more is a phrase looked up in the index — a substring
match, case-insensitive, as ``icontains`` is — so finding one case number among 100,000 matters reads a few
index pages instead of every matter and instrument. Shorter words have no trigram: they are matched with LIKE
on the same table (a scan, but of one short row per matter).

PostgreSQL answers the same search with ``icontains`` and its trigram indexes (migration 0011); so does SQLite
where it was built without FTS5.
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models.expressions import RawSQL


@cache
def _available(alias: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'matters_search'")
        return cursor.fetchone() is not None


def available() -> bool:
    """Whether this database answers the search from the SQLite index."""
    return connection.vendor == "sqlite" and _available(connection.alias)


def matching(q: str) -> RawSQL:
    """The ids of the matters whose searched words contain ``q`` (for ``pk__in``)."""
    if len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'  # one phrase: the words as typed, in order
        return RawSQL("SELECT rowid FROM matters_search WHERE matters_search MATCH %s", [phrase])
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return RawSQL("SELECT rowid FROM matters_search WHERE words LIKE %s ESCAPE '\\'", [pattern])
