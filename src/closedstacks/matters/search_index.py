"""The matters search through an index, one list of matter ids for the words typed.

On SQLite: an FTS5 table of trigrams, one row per matter, kept by triggers (migration 0015). A search of three
characters or more is a phrase looked up in it — a substring match, case-insensitive, as ``icontains`` is —
so finding one case number among 100,000 matters reads a few index pages instead of every matter and
instrument. Shorter words have no trigram: they are matched with LIKE on the same table (a scan, but of one
short row per matter).

On PostgreSQL: the trigram indexes of migration 0011, one per field searched, each asked on its own and the ids
put together (UNION). Asked in one condition — this field or that one or an instrument's — the planner reads
the matters newest first and tests every one of them.

Where SQLite was built without FTS5, there is no index: the search reads the matters themselves
(``finding.searched``).
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models.expressions import RawSQL

# The fields searched, as migration 0011 indexes them: UPPER("field"::text), with gin_trgm_ops.
_POSTGRES = " UNION ".join([
    *(f'SELECT id FROM matters_matter WHERE UPPER("{field}"::text) LIKE UPPER(%s)'
      for field in ("reference", "requester_agency", "requester_name")),
    'SELECT matter_id FROM matters_instrument WHERE UPPER("case_number"::text) LIKE UPPER(%s) '
    'OR UPPER("caption"::text) LIKE UPPER(%s)'])


@cache
def _sqlite_index(alias: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'matters_search'")
        return cursor.fetchone() is not None


def available() -> bool:
    """Whether this database answers the search from an index."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and _sqlite_index(connection.alias)


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matching(q: str) -> RawSQL:
    """The ids of the matters whose searched fields contain ``q`` (for ``pk__in``)."""
    if connection.vendor == "postgresql":
        return RawSQL(_POSTGRES, [_like(q)] * 5)  # backslash is PostgreSQL's LIKE escape
    if len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'  # one phrase: the words as typed, in order
        return RawSQL("SELECT rowid FROM matters_search WHERE matters_search MATCH %s", [phrase])
    return RawSQL("SELECT rowid FROM matters_search WHERE words LIKE %s ESCAPE '\\'", [_like(q)])


def few_matching(q: str, most: int) -> list[int] | None:
    """The ids of the matters matching ``q`` if there are no more than ``most`` of them, else None — on SQLite,
    whose index stops reading once it has found one more than ``most``. (PostgreSQL's trigram indexes find every
    match before the first is given: None, the caller asks otherwise.)"""
    if connection.vendor != "sqlite":
        return None
    found = matching(q)
    sql, params = found.sql, found.params
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {int(most) + 1}", params)
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= most else None


def folds_like_the_plain_search(q: str) -> bool:
    """Whether the plain search (``icontains``) folds the case of ``q`` as the index does: SQLite's LIKE folds
    only ASCII letters; PostgreSQL's UPPER folds all."""
    return connection.vendor == "postgresql" or q.isascii()
