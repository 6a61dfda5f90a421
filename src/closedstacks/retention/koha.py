"""Unlinking in Koha, the way Koha's own anonymization does it — in short batches, and never what a hold covers.

Koha's convention: a closed record's ``borrowernumber`` is set to the
``AnonymousPatron`` placeholder borrower (``batch_anonymise.pl``); without
that preference set there is nothing to unlink to, and the run fails
clearly. Past loans close at ``returndate``, past holds at ``timestamp``.
A user whose ``privacy`` is 0 chose to keep their history. Each batch reads
the next rows by primary key and updates the ones the policy covers, in one
small transaction: never one statement over the whole table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from closedstacks.records.connectors.base import ConnectorError
from closedstacks.records.connectors.db import Database


@dataclass(frozen=True)
class Spec:
    table: str
    pk: str
    closed: str  # the column that says when the record closed
    dated: str  # the column a legal hold's dates are compared with (as the connector extracts)


SPECS = {
    "past_loans": Spec("old_issues", "issue_id", "returndate", "issuedate"),
    "past_holds": Spec("old_reserves", "reserve_id", "timestamp", "reservedate"),
}


def anonymous_patron(db: Database) -> int:
    row = db.one("SELECT value FROM systempreferences WHERE variable = %s", ("AnonymousPatron",))
    value = str(row[0]).strip() if row and row[0] is not None else ""
    if not value.isdigit() or db.one("SELECT borrowernumber FROM borrowers WHERE borrowernumber = %s",
                                     (int(value),)) is None:
        raise ConnectorError("Koha's AnonymousPatron preference does not name an existing borrower: set it in "
                             "Koha (Administration › System preferences) before retention can unlink anything.")
    return int(value)


def _day(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def read_batch(db: Database, kind: str, after: int, size: int, *, lock: bool = True) -> list[tuple]:
    """The next ``size`` rows after ``after``: (pk, borrowernumber, closed day, dated day, privacy), locked
    (``FOR UPDATE``; SQLite locks the whole file when the update writes) until the batch commits."""
    spec = SPECS[kind]
    lock = " FOR UPDATE OF x" if lock and db.driver == "postgresql" else " FOR UPDATE" if lock and \
        db.driver == "mysql" else ""
    rows = db.rows(f"SELECT x.{spec.pk}, x.borrowernumber, x.{spec.closed}, x.{spec.dated}, p.privacy "
                   f"FROM {spec.table} x LEFT JOIN borrowers p ON p.borrowernumber = x.borrowernumber "
                   f"WHERE x.{spec.pk} > %s ORDER BY x.{spec.pk} LIMIT %s" + lock, (int(after), int(size)))
    return [(int(r[0]), r[1], _day(r[2]), _day(r[3]), r[4]) for r in rows]


def unlink(db: Database, kind: str, ids: list[int], anonymous: int) -> int:
    spec = SPECS[kind]
    if not ids:
        return 0
    cursor = db.connection.cursor()
    try:
        cursor.execute(db.sql(f"UPDATE {spec.table} SET borrowernumber = %s WHERE {spec.pk} IN ("
                              + ", ".join(["%s"] * len(ids)) + ")"), (anonymous, *ids))
        return cursor.rowcount
    finally:
        cursor.close()


def count_linked(db: Database, kind: str, ids: list[int], anonymous: int) -> int:
    """How many of ``ids`` are now linked to the placeholder (to learn whether a batch committed)."""
    spec = SPECS[kind]
    if not ids:
        return 0
    return int(db.one(f"SELECT COUNT(*) FROM {spec.table} WHERE borrowernumber = %s AND {spec.pk} IN ("
                      + ", ".join(["%s"] * len(ids)) + ")", (anonymous, *ids))[0])
