"""Unlinking in Koha, the way Koha's own tools do it — in short batches, and never what a hold covers.

Koha's conventions:

- past loans (``old_issues``, closed at ``returndate``) and past holds
  (``old_reserves``, closed at ``timestamp``): ``borrowernumber`` is set to
  the ``AnonymousPatron`` placeholder borrower, as ``batch_anonymise.pl``
  does; without that preference there is nothing to unlink to, and the run
  fails clearly. With a loan, the links Koha's own anonymization leaves
  behind go too: the patron's own renewals of it
  (``checkout_renewals.renewer_id``) are set to the placeholder, and the
  item's ``items_last_borrower`` row, when it is this borrower's and older
  than the cutoff, is deleted;
- search history (``search_history``, by ``time``) is deleted, as
  ``cleanup_database.pl --searchhistory`` does.

A user whose ``privacy`` is 0 chose to keep their history. Each batch reads
the next rows by primary key and changes the ones the policy covers, in one
small transaction: never one statement over the whole table. Table and
column names come from the constants below, never from input.
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
    user: str
    closed: str  # the column that says when the record closed
    dated: str  # the column a legal hold's dates are compared with (as the connector extracts)
    item: str = ""  # for loans: the item, to clear items_last_borrower
    delete: bool = False  # unlinking deletes the row (Koha's convention for it) rather than anonymizing it


SPECS = {
    "past_loans": Spec("old_issues", "issue_id", "borrowernumber", "returndate", "issuedate", item="itemnumber"),
    "past_holds": Spec("old_reserves", "reserve_id", "borrowernumber", "timestamp", "reservedate"),
    "search_history": Spec("search_history", "id", "userid", "time", "time", delete=True),
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
    """The next ``size`` rows after ``after``: (pk, user, closed day, dated day, privacy, item), locked
    (``FOR UPDATE``; SQLite locks the whole file when the update writes) until the batch commits."""
    spec = SPECS[kind]
    suffix = " FOR UPDATE OF x" if lock and db.driver == "postgresql" else " FOR UPDATE" if lock and \
        db.driver == "mysql" else ""
    item = f"x.{spec.item}" if spec.item else "NULL"
    rows = db.rows(f"SELECT x.{spec.pk}, x.{spec.user}, x.{spec.closed}, x.{spec.dated}, p.privacy, {item} "
                   f"FROM {spec.table} x LEFT JOIN borrowers p ON p.borrowernumber = x.{spec.user} "
                   f"WHERE x.{spec.pk} > %s ORDER BY x.{spec.pk} LIMIT %s" + suffix, (int(after), int(size)))
    return [(int(r[0]), r[1], _day(r[2]), _day(r[3]), r[4], r[5]) for r in rows]


def _in(ids) -> str:
    return "(" + ", ".join(["%s"] * len(ids)) + ")"


def _execute(db: Database, sql: str, params) -> int:
    cursor = db.connection.cursor()
    try:
        cursor.execute(db.sql(sql), tuple(params))
        return cursor.rowcount
    finally:
        cursor.close()


def unlink(db: Database, kind: str, rows: list[tuple], anonymous: int, cutoff: dt.date) -> int:
    """Unlink ``rows`` (as read_batch gave them) in the caller's transaction; how many records were unlinked."""
    spec = SPECS[kind]
    ids = [row[0] for row in rows]
    if not ids:
        return 0
    if spec.delete:
        return _execute(db, f"DELETE FROM {spec.table} WHERE {spec.pk} IN " + _in(ids), ids)
    if kind == "past_loans":
        # The patron's own renewals of these loans (staff renewals name staff, not the patron) ...
        _execute(db, "UPDATE checkout_renewals SET renewer_id = %s WHERE checkout_id IN " + _in(ids)
                 + " AND renewer_id = (SELECT o.borrowernumber FROM old_issues o WHERE o.issue_id ="
                 " checkout_renewals.checkout_id)", [anonymous, *ids])
        # ... and the item's last borrower, when that is this borrower and from before the cutoff.
        pairs = {(row[5], row[1]) for row in rows if row[5] is not None}
        items = sorted({item for item, _user in pairs})
        if items:
            day = db.date_param(cutoff)
            last = [pk for pk, item, user in db.rows(
                "SELECT id, itemnumber, borrowernumber FROM items_last_borrower WHERE itemnumber IN " + _in(items)
                + " AND created_on < %s", [*items, day]) if (item, user) in pairs]
            if last:
                _execute(db, "DELETE FROM items_last_borrower WHERE id IN " + _in(last), last)
    return _execute(db, f"UPDATE {spec.table} SET {spec.user} = %s WHERE {spec.pk} IN " + _in(ids),
                    [anonymous, *ids])


def committed(db: Database, kind: str, ids: list[int], anonymous: int) -> bool:
    """Whether a recorded batch's change is in the library system (to resume after an interruption)."""
    spec = SPECS[kind]
    if not ids:
        return True
    if spec.delete:
        return int(db.one(f"SELECT COUNT(*) FROM {spec.table} WHERE {spec.pk} IN " + _in(ids), ids)[0]) == 0
    return int(db.one(f"SELECT COUNT(*) FROM {spec.table} WHERE {spec.user} = %s AND {spec.pk} IN " + _in(ids),
                      (anonymous, *ids))[0]) == len(ids)
