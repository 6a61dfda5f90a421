"""Koha: find, count and extract what a subpoena designates, read-only, from Koha's own tables.

Each kind of record is one query over one Koha table (joined to ``borrowers``
for the card, and to ``items``/``biblio`` for barcode, title, author and call
number), filtered by ``borrowernumber IN (%s, ...)`` and by the kind's own
date:

=================  ==============================  ============================
kind               table                           date the range applies to
=================  ==============================  ============================
patron_record      borrowers                       none (the record as it is)
current_loans      issues                          issuedate
past_loans         old_issues                      issuedate
holds              reserves                        reservedate
past_holds         old_reserves                    reservedate
fines              accountlines                    date
search_history     search_history (userid)         time
statistics         statistics                      datetime
=================  ==============================  ============================

A range is inclusive: ``date >= date_from AND date < date_to + 1 day``, so a
timestamp on ``date_to`` counts and an index on the column still serves.
SQL is assembled only from the constant fragments below and ``%s``
placeholders; identifiers and dates travel as parameters. Only the columns a
production shows are selected. The ``AnonymousPatron`` borrower (the
placeholder Koha anonymizes history to) is never resolved, counted or
extracted: its rows belong to many people.

Values come out alike on every driver: user and record ids as strings,
dates as ``YYYY-MM-DD``, timestamps as ``YYYY-MM-DDTHH:MM:SS``, amounts as
strings with two decimals, counts (renewals, results) as integers.

``test()`` never raises for a database it cannot use: it returns
``TestReport(ok=False)`` whose problems say why (cannot connect, refused
password, no such database, missing table or column).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from closedstacks.ils.connectors.base import COLUMNS, Connector, ConnectorError, Scope, TestReport
from closedstacks.ils.connectors.db import Database
from closedstacks.library.choices import RecordKind

# Tables whose row count "Test connection" shows, in this order.
MAIN_TABLES = ("borrowers", "issues", "old_issues", "reserves", "old_reserves", "accountlines", "search_history",
               "statistics", "items", "biblio", "systempreferences")


def _iso(value) -> str | None:
    """A date or timestamp as ISO text, whatever the driver returned (SQLite: text; MariaDB zero dates: None)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if not text or text.startswith("0000-00-00"):
        return None
    if len(text) >= 19 and text[10] == " ":
        text = text[:10] + "T" + text[11:19]
    return text


def _day(value) -> str | None:
    text = _iso(value)
    return text[:10] if text else None


def _money(value) -> str | None:
    if value is None:
        return None
    try:
        return f"{Decimal(str(value)):.2f}"
    except InvalidOperation:
        return str(value)


def _text(value) -> str | None:
    return None if value is None else str(value)


def _int(value) -> int | None:
    return None if value is None else int(value)


def _address(*parts) -> str | None:
    street, city, zipcode = (str(p).strip() if p is not None else "" for p in parts)
    place = " ".join(p for p in (city, zipcode) if p)
    return ", ".join(p for p in (street, place) if p) or None


def _hold_status(found, suspend) -> str:
    if found == "W":
        return "waiting for pickup"
    if found == "T":
        return "in transit"
    if found == "P":
        return "being processed"
    if suspend:
        return "suspended"
    return "pending"


def _outcome(found, cancelled, expires) -> str:
    if found == "F":
        return "filled"
    if cancelled is not None and _day(cancelled):
        if expires is not None and _day(expires) and _day(cancelled) >= _day(expires):
            return "expired"
        return "cancelled"
    return "ended"


@dataclass(frozen=True)
class Kind:
    """One kind of record: its query (constant SQL), the columns it reads, and how a row becomes a dict."""

    select: str  # SELECT ... FROM ... JOIN ... (no WHERE)
    table: str  # what count() counts: the kind's table and its alias
    user: str  # the user column to filter on
    date: str | None  # the date column the range applies to
    order: str
    reads: dict[str, tuple[str, ...]]  # table → columns this query reads
    row: Callable[[tuple], dict]


ITEM_JOIN = " LEFT JOIN items i ON i.itemnumber = x.itemnumber LEFT JOIN biblio b ON b.biblionumber = i.biblionumber"
CARD_JOIN = " LEFT JOIN borrowers p ON p.borrowernumber = x.borrowernumber"

KINDS: dict[str, Kind] = {
    RecordKind.PATRON_RECORD: Kind(
        table="borrowers p",
        select="SELECT p.borrowernumber, p.cardnumber, p.userid, p.surname, p.firstname, p.dateofbirth, p.address,"
               " p.city, p.zipcode, p.email, p.phone, p.mobile, p.branchcode, p.categorycode FROM borrowers p",
        user="p.borrowernumber", date=None, order="p.borrowernumber",
        reads={"borrowers": ("borrowernumber", "cardnumber", "userid", "surname", "firstname", "dateofbirth",
                             "address", "city", "zipcode", "email", "phone", "mobile", "branchcode",
                             "categorycode")},
        row=lambda r: {"user": str(r[0]), "card": r[1], "username": r[2], "surname": r[3], "first_name": r[4],
                       "date_of_birth": _day(r[5]), "address": _address(r[6], r[7], r[8]), "email": r[9],
                       "phone": r[10] or r[11], "branch": r[12], "category": r[13]},
    ),
    RecordKind.CURRENT_LOANS: Kind(
        table="issues x",
        select="SELECT x.borrowernumber, p.cardnumber, x.issue_id, x.issuedate, x.date_due, x.renewals_count,"
               " i.barcode, b.title, b.author, i.itemcallnumber, x.branchcode FROM issues x" + CARD_JOIN + ITEM_JOIN,
        user="x.borrowernumber", date="x.issuedate", order="x.issuedate, x.issue_id",
        reads={"issues": ("borrowernumber", "issue_id", "issuedate", "date_due", "renewals_count", "itemnumber",
                          "branchcode")},
        row=lambda r: {"user": str(r[0]), "card": r[1], "loan": str(r[2]), "checked_out": _iso(r[3]),
                       "due": _iso(r[4]), "renewals": _int(r[5]), "item_barcode": r[6], "title": r[7],
                       "author": r[8], "call_number": r[9], "branch": r[10]},
    ),
    RecordKind.PAST_LOANS: Kind(
        table="old_issues x",
        select="SELECT x.borrowernumber, p.cardnumber, x.issue_id, x.issuedate, x.date_due, x.returndate,"
               " x.renewals_count, i.barcode, b.title, b.author, i.itemcallnumber, x.branchcode FROM old_issues x"
               + CARD_JOIN + ITEM_JOIN,
        user="x.borrowernumber", date="x.issuedate", order="x.issuedate, x.issue_id",
        reads={"old_issues": ("borrowernumber", "issue_id", "issuedate", "date_due", "returndate", "renewals_count",
                              "itemnumber", "branchcode")},
        row=lambda r: {"user": str(r[0]), "card": r[1], "loan": str(r[2]), "checked_out": _iso(r[3]),
                       "due": _iso(r[4]), "returned": _iso(r[5]), "renewals": _int(r[6]), "item_barcode": r[7],
                       "title": r[8], "author": r[9], "call_number": r[10], "branch": r[11]},
    ),
    RecordKind.HOLDS: Kind(
        table="reserves x",
        select="SELECT x.borrowernumber, p.cardnumber, x.reserve_id, x.reservedate, x.found, x.suspend, b.title,"
               " b.author, x.branchcode FROM reserves x" + CARD_JOIN
               + " LEFT JOIN biblio b ON b.biblionumber = x.biblionumber",
        user="x.borrowernumber", date="x.reservedate", order="x.reservedate, x.reserve_id",
        reads={"reserves": ("borrowernumber", "reserve_id", "reservedate", "found", "suspend", "biblionumber",
                            "branchcode")},
        row=lambda r: {"user": str(r[0]), "card": r[1], "hold": str(r[2]), "placed": _day(r[3]),
                       "status": _hold_status(r[4], r[5]), "title": r[6], "author": r[7], "pickup_branch": r[8]},
    ),
    RecordKind.PAST_HOLDS: Kind(
        table="old_reserves x",
        select="SELECT x.borrowernumber, p.cardnumber, x.reserve_id, x.reservedate, x.found, x.cancellationdate,"
               " x.expirationdate, x.timestamp, b.title, b.author, x.branchcode FROM old_reserves x" + CARD_JOIN
               + " LEFT JOIN biblio b ON b.biblionumber = x.biblionumber",
        user="x.borrowernumber", date="x.reservedate", order="x.reservedate, x.reserve_id",
        reads={"old_reserves": ("borrowernumber", "reserve_id", "reservedate", "found", "cancellationdate",
                                "expirationdate", "timestamp", "biblionumber", "branchcode")},
        row=lambda r: {"user": str(r[0]), "card": r[1], "hold": str(r[2]), "placed": _day(r[3]),
                       "ended": _day(r[5]) or _day(r[7]), "outcome": _outcome(r[4], r[5], r[6]), "title": r[8],
                       "author": r[9], "pickup_branch": r[10]},
    ),
    RecordKind.FINES: Kind(
        table="accountlines x",
        select="SELECT x.borrowernumber, p.cardnumber, x.accountlines_id, x.date, x.amount, x.amountoutstanding,"
               " x.description, x.debit_type_code, x.credit_type_code, i.barcode FROM accountlines x" + CARD_JOIN
               + " LEFT JOIN items i ON i.itemnumber = x.itemnumber",
        user="x.borrowernumber", date="x.date", order="x.date, x.accountlines_id",
        reads={"accountlines": ("borrowernumber", "accountlines_id", "date", "amount", "amountoutstanding",
                                "description", "debit_type_code", "credit_type_code", "itemnumber")},
        row=lambda r: {"user": str(r[0]), "card": r[1], "fine": str(r[2]), "date": _iso(r[3]),
                       "amount": _money(r[4]), "outstanding": _money(r[5]),
                       "description": r[6] or r[7] or r[8] or None, "item_barcode": r[9]},
    ),
    RecordKind.SEARCH_HISTORY: Kind(
        table="search_history x",
        select="SELECT x.userid, p.cardnumber, x.time, x.query_desc, x.total FROM search_history x"
               " LEFT JOIN borrowers p ON p.borrowernumber = x.userid",
        user="x.userid", date="x.time", order="x.time, x.id",
        reads={"search_history": ("id", "userid", "time", "query_desc", "total")},
        row=lambda r: {"user": str(r[0]), "card": r[1], "searched_at": _iso(r[2]), "query": r[3],
                       "results": _int(r[4])},
    ),
    RecordKind.STATISTICS: Kind(
        table="statistics x",
        # statistics has no primary key: ties on datetime are ordered by type and item.
        select="SELECT x.borrowernumber, p.cardnumber, x.datetime, x.type, x.branch, i.barcode FROM statistics x"
               + CARD_JOIN + " LEFT JOIN items i ON i.itemnumber = x.itemnumber",
        user="x.borrowernumber", date="x.datetime", order="x.datetime, x.type, x.itemnumber",
        reads={"statistics": ("borrowernumber", "datetime", "type", "branch", "itemnumber")},
        row=lambda r: {"user": str(r[0]), "card": r[1], "at": _iso(r[2]), "type": r[3], "branch": r[4],
                       "item_barcode": r[5]},
    ),
}

# Every table and column the connector reads (the joins included), for test().
READS: dict[str, set[str]] = {
    "borrowers": {"borrowernumber", "cardnumber"},
    "items": {"itemnumber", "biblionumber", "barcode", "itemcallnumber"},
    "biblio": {"biblionumber", "title", "author"},
    "systempreferences": {"variable", "value"},
}
for _kind in KINDS.values():
    for _table, _columns in _kind.reads.items():
        READS.setdefault(_table, set()).update(_columns)

# How a name is compared. On MariaDB, as Koha's own patron search does: plainly, under the tables' collation
# (utf8mb4_unicode_ci folds case and accents, "NÚÑEZ" = "Nunez", and the name indexes serve). Elsewhere (test and
# demo databases) lower-cased on both sides, folding every letter, not only ASCII (SQLite's lower() folds A-Z).
LOWER = {"postgresql": "LOWER", "sqlite": "closedstacks_lower"}


def _name_match(driver: str, middle: bool) -> str:
    columns = ("p.surname", "p.firstname") + (("p.middle_name",) if middle else ())
    lower = LOWER.get(driver)
    return "(" + " AND ".join((f"{lower}({c})" if lower else c) + " = %s" for c in columns) + ")"


class KohaConnector(Connector):
    name = "koha"
    label = "Koha"
    drivers = ("mysql", "sqlite", "postgresql")

    # -- connection ---------------------------------------------------------------------------------------------

    def test(self) -> TestReport:
        """Connect, check each table and column read, count rows; problems say what is wrong (never raises)."""
        report = TestReport(ok=False)
        self._testing = True
        try:
            with self.session() as db:
                report.server = self._server(db)
                self.report_release(db, report)
                self._check_preferences(db, report)
                for table in sorted(READS, key=lambda t: (t not in MAIN_TABLES, MAIN_TABLES.index(t)
                                                          if t in MAIN_TABLES else 0, t)):
                    found = db.columns(table)
                    if found is None:
                        report.tables[table] = None
                        report.problems.append(f"table {table} is missing")
                        continue
                    found = {c.lower() for c in found}
                    missing = sorted(c for c in READS[table] if c.lower() not in found)
                    for column in missing:
                        report.problems.append(f"column {table}.{column} is missing")
                    # A constant table name from READS, never input.
                    report.tables[table] = int(db.one(f"SELECT COUNT(*) FROM {table}")[0])
        except ConnectorError as exc:
            report.problems.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - a driver error while reading the catalogue of tables
            report.problems.append(f"The database at {self.settings.where} could not be read: {type(exc).__name__}.")
        finally:
            self._testing = False
        report.ok = not report.problems
        return report

    @staticmethod
    def _check_preferences(db: Database, report: TestReport) -> None:
        """The preferences Closed Stacks depends on, as Koha ships them, and what to set."""
        if db.columns("systempreferences") is None:
            return
        value = preference(db, "AnonymousPatron")
        where = "Koha › Administration › System preferences › Patrons › AnonymousPatron"
        if not value.isdigit() or int(value) == 0:
            report.warnings.append(
                f"Koha's AnonymousPatron preference is {value or 'empty'} (Koha ships it as 0): retention and Koha's "
                f"own anonymization have no borrower to unlink history to. Create a borrower kept for that purpose "
                f"and set its borrowernumber in {where}.")
        elif db.one("SELECT borrowernumber FROM borrowers WHERE borrowernumber = %s", (int(value),)) is None:
            report.warnings.append(f"Koha's AnonymousPatron preference names borrower {value}, who does not exist: "
                                   f"set an existing borrower kept for that purpose in {where}.")
        elif db.columns("categories") is not None and db.one(
                "SELECT 1 FROM borrowers p JOIN categories c ON c.categorycode = p.categorycode WHERE "
                "p.borrowernumber = %s AND c.category_type = 'S'", (int(value),)):
            report.warnings.append("Koha's AnonymousPatron is in a staff category: give it a patron category of its "
                                   "own, or anonymized renewals and staff actions become indistinguishable.")

    @staticmethod
    def _server(db: Database) -> str:
        try:
            if db.driver == "sqlite":
                return "SQLite " + str(db.one("SELECT sqlite_version()")[0])
            version = str(db.one("SELECT version()")[0])
            if db.driver == "mysql":
                return ("MariaDB " if "mariadb" in version.lower() else "MySQL ") + version.split("-")[0]
            return version.split(" on ")[0]
        except Exception:  # noqa: BLE001 - the version is only shown
            return ""

    def kinds(self) -> list[str]:
        return [str(kind) for kind in KINDS]

    # -- resolving identifiers ----------------------------------------------------------------------------------

    def resolve(self, identifier_type: str, value: str, *, date_of_birth: dt.date | None = None) -> list[str]:
        value = " ".join(str(value or "").split())
        if not value:
            return []
        params: list = []
        if identifier_type == "card":
            where, params = "p.cardnumber = %s", [value]
        elif identifier_type == "username":
            where, params = "p.userid = %s", [value]
        elif identifier_type == "id":
            if not value.isdigit() or not value.isascii():
                return []
            where, params = "p.borrowernumber = %s", [int(value)]
        elif identifier_type == "name":
            pairs = _name_pairs(value)
            if not pairs:
                return []
            where = ""  # filled in below, once the driver is known
        else:
            raise ConnectorError(f"Koha cannot look users up by {identifier_type!r}.")
        with self.session() as db:
            if identifier_type == "name":
                if db.driver == "sqlite":
                    db.connection.create_function(LOWER["sqlite"], 1, _lower, deterministic=True)
                where = "(" + " OR ".join(_name_match(db.driver, len(pair) > 2) for pair in pairs) + ")"
                params = [part for pair in pairs for part in pair]
            if date_of_birth is not None:
                where += " AND p.dateofbirth = %s"
                params.append(self._date_param(db, date_of_birth))
            found = [str(row[0]) for row in db.rows(
                "SELECT p.borrowernumber FROM borrowers p WHERE " + where + " ORDER BY p.borrowernumber", params)]
            anonymous = self._anonymous(db)
        return [user for user in found if user != anonymous]

    # -- counting and extracting --------------------------------------------------------------------------------

    def count(self, scope: Scope) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.session() as db:
            users = self._users(db, scope)
            for name in scope.kinds:
                kind = self._kind(name)
                if not users:
                    counts[name] = 0
                    continue
                where, params = self._where(db, kind, users, scope)
                counts[name] = int(db.one("SELECT COUNT(*) FROM " + kind.table + " WHERE " + where, params)[0])
        return counts

    def extract(self, scope: Scope, kind: str) -> Iterator[dict]:
        spec = self._kind(kind)
        columns = COLUMNS[kind]
        with self.session() as db:
            users = self._users(db, scope)
            if not users:
                return
            where, params = self._where(db, spec, users, scope)
            for row in db.rows(spec.select + " WHERE " + where + " ORDER BY " + spec.order, params, stream=True):
                record = spec.row(row)
                yield {column: record[column] for column in columns}

    # -- helpers ------------------------------------------------------------------------------------------------

    @staticmethod
    def _kind(name: str) -> Kind:
        kind = KINDS.get(name)
        if kind is None:
            raise ConnectorError(f"Koha has no records of the kind {name!r} (it has: {', '.join(KINDS)}).")
        return kind

    def _users(self, db: Database, scope: Scope) -> list[int]:
        """The scope's users as borrowernumbers: not a number matches nobody; the AnonymousPatron is left out."""
        anonymous = self._anonymous(db)
        users = {int(u) for u in (str(u).strip() for u in scope.users) if u.isdigit() and u.isascii()}
        return sorted(u for u in users if str(u) != anonymous)

    @staticmethod
    def _date_param(db: Database, day: dt.date):
        return db.date_param(day.date() if isinstance(day, dt.datetime) else day)

    def _where(self, db: Database, kind: Kind, users: list[int], scope: Scope) -> tuple[str, list]:
        where = kind.user + " IN (" + ", ".join(["%s"] * len(users)) + ")"
        params: list = list(users)
        if kind.date is not None:
            if scope.date_from is not None:
                where += " AND " + kind.date + " >= %s"
                params.append(self._date_param(db, scope.date_from))
            if scope.date_to is not None:
                where += " AND " + kind.date + " < %s"
                params.append(self._date_param(db, _as_date(scope.date_to) + dt.timedelta(days=1)))
        return where, params

    def _anonymous(self, db: Database) -> str | None:
        """The AnonymousPatron borrowernumber, as text, or None when unset or unreadable (asked once per
        connector: it is looked up before every count and extraction)."""
        if "_anonymous_id" not in self.__dict__:
            value = preference(db, "AnonymousPatron") if db.columns("systempreferences") is not None else ""
            self._anonymous_id = str(int(value)) if value.isdigit() and int(value) > 0 else None
        return self._anonymous_id


def preference(db: Database, name: str) -> str:
    """One of Koha's system preferences, as text ("" when unset)."""
    row = db.one("SELECT value FROM systempreferences WHERE variable = %s", (name,))
    return str(row[0]).strip() if row and row[0] is not None else ""


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _name_pairs(value: str) -> list[tuple[str, ...]]:
    """(surname, firstname[, middle_name]) readings of a name, lower-cased: "Surname, First" or "First [Middle]
    Surname" (a middle word may be part of the first name, of the surname, or Koha's middle name)."""
    value = value.lower()
    if "," in value:
        surname, _, first = value.partition(",")
        surname, first = " ".join(surname.split()), " ".join(first.split())
        if not surname or not first:
            return []
        # "Smith, Mary Ann": Koha may hold "Mary Ann" or "Mary" (with "Ann" as middle name) as the first name.
        given = first.split()
        if len(given) == 1:
            return [(surname, first)]
        return [(surname, first), (surname, given[0], " ".join(given[1:]))]
    words = [w for w in re.split(r"\s+", value) if w]
    readings: list[tuple[str, ...]] = [(" ".join(words[k:]), " ".join(words[:k])) for k in range(1, len(words))]
    if len(words) > 2:
        readings.append((words[-1], words[0], " ".join(words[1:-1])))
    return readings
