"""The Koha connector against real Koha-shaped databases (MariaDB, SQLite, PostgreSQL), row by row.

A generated library (``koha.generate``) is read through the connector and,
independently, through the test's own plain SQL on a raw driver connection;
the two must agree row for row. Date ranges are applied by the test in
Python, not in SQL, so the connector's range logic is checked, not copied.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest

from closedstacks.bench.databases import scratch_ils_database
from closedstacks.ils import generators
from closedstacks.ils.connectors import get
from closedstacks.ils.connectors.base import COLUMNS, ConnectorError, Scope
from closedstacks.ils.connectors.db import ConnectionSettings
from closedstacks.ils.connectors.koha import CONNECTOR, schema
from closedstacks.ils.generators.koha import generate
from closedstacks.library.choices import RecordKind
from tests.ils import ils_url, require_server  # noqa: F401

DRIVERS = ["mysql", "sqlite", "postgresql"]
USERS, LOANS = 200, 5000
KINDS = [RecordKind.PATRON_RECORD, RecordKind.CURRENT_LOANS, RecordKind.PAST_LOANS, RecordKind.HOLDS,
         RecordKind.PAST_HOLDS, RecordKind.FINES, RecordKind.SEARCH_HISTORY, RecordKind.STATISTICS]


# -- the test's own access to the database ------------------------------------------------------------------


def settings_of(url: str) -> ConnectionSettings:
    return ConnectionSettings.from_url(url)


class Raw:
    """A plain driver connection with its own simple SQL (no connector code)."""

    def __init__(self, url: str):
        s = settings_of(url)
        self.driver = s.driver
        if s.driver == "sqlite":
            self.conn = sqlite3.connect("/" + s.database.lstrip("/"))
        elif s.driver == "mysql":
            import pymysql

            self.conn = pymysql.connect(host=s.host, port=s.port or 3306, user=s.user, password=s.password,
                                        database=s.database, autocommit=True, charset="utf8mb4")
        else:
            import psycopg

            self.conn = psycopg.connect(host=s.host, port=s.port or 5432, user=s.user or None, dbname=s.database,
                                        autocommit=True)

    def all(self, sql: str, params=()) -> list[tuple]:
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql.replace("%s", "?") if self.driver == "sqlite" else sql, tuple(params))
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            cursor.close()

    def run(self, sql: str) -> None:
        self.all(sql)
        if self.driver == "sqlite":
            self.conn.commit()

    def close(self):
        self.conn.close()


def iso(value):
    """The test's own normalisation: ISO text, 'T' between date and time, no fractions."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace(" ", "T")[:19]


def day(value) -> dt.date | None:
    text = iso(value)
    return dt.date.fromisoformat(text[:10]) if text else None


def money(value) -> str:
    return f"{Decimal(str(value)):.2f}"


# -- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=DRIVERS)
def library(request):
    """One generated library per driver, shared by the read-only tests of this module."""
    driver = request.param
    require_server(driver)
    with scratch_ils_database(driver) as url:
        counts = generate(settings_of(url), users=USERS, loans=LOANS, seed=7)
        raw = Raw(url)
        try:
            yield {"driver": driver, "url": url, "counts": counts, "raw": raw,
                   "connector": CONNECTOR(settings_of(url))}
        finally:
            raw.close()


def busiest(raw: Raw, n: int = 2) -> list[int]:
    rows = raw.all("SELECT borrowernumber, COUNT(*) FROM statistics WHERE type = %s GROUP BY borrowernumber",
                   ("issue",))
    return [b for b, _ in sorted(rows, key=lambda r: (-r[1], r[0]))[:n]]


def anonymous_of(raw: Raw) -> int:
    return int(raw.all("SELECT value FROM systempreferences WHERE variable = %s", ("AnonymousPatron",))[0][0])


# -- registry and test() ------------------------------------------------------------------------------------


def test_registry_finds_the_koha_package():
    assert get("koha") is CONNECTOR
    assert generators.get("koha") is generate
    assert CONNECTOR.name == "koha" and CONNECTOR.label == "Koha"


def test_connection_test_reports_every_table_with_the_generated_counts(library):
    report = library["connector"].test()
    assert report.ok, report.problems
    assert report.problems == []
    for table in ("borrowers", "issues", "old_issues", "reserves", "old_reserves", "accountlines",
                  "search_history", "statistics", "items", "biblio", "systempreferences"):
        assert report.tables[table] == library["counts"][table], table
    assert library["counts"]["issues"] + library["counts"]["old_issues"] == LOANS
    assert library["counts"]["borrowers"] == USERS + 1  # and the AnonymousPatron
    assert report.server


def test_kinds():
    assert set(CONNECTOR(ConnectionSettings(driver="sqlite", database="x")).kinds()) == set(KINDS)


@pytest.mark.parametrize("driver", DRIVERS)
def test_missing_table_and_column_are_named(ils_url, driver):  # noqa: F811
    url = ils_url(driver)
    schema.create(settings_of(url), indexes=False)
    raw = Raw(url)
    try:
        raw.run("DROP TABLE old_issues")
        raw.run("ALTER TABLE issues DROP COLUMN date_due")
        raw.run("ALTER TABLE borrowers DROP COLUMN cardnumber")
    finally:
        raw.close()
    report = CONNECTOR(settings_of(url)).test()
    assert not report.ok
    assert "table old_issues is missing" in report.problems
    assert "column issues.date_due is missing" in report.problems
    assert "column borrowers.cardnumber is missing" in report.problems
    assert report.tables["old_issues"] is None
    assert report.tables["issues"] == 0
    assert len(report.problems) == 3


@pytest.mark.parametrize("driver", DRIVERS)
def test_unknown_columns_are_tolerated(ils_url, driver):  # noqa: F811
    url = ils_url(driver)
    generate(settings_of(url), users=20, loans=300, seed=3)
    raw = Raw(url)
    try:
        for table in ("borrowers", "old_issues", "issues", "statistics", "items", "biblio", "accountlines"):
            raw.run(f"ALTER TABLE {table} ADD COLUMN zz_local_extension VARCHAR(40)")
        user = busiest(raw, 1)[0]
    finally:
        raw.close()
    connector = CONNECTOR(settings_of(url))
    assert connector.test().ok
    scope = Scope(users=(str(user),), kinds=tuple(KINDS))
    counts = connector.count(scope)
    for kind in KINDS:
        rows = list(connector.extract(scope, kind))
        assert len(rows) == counts[kind]
        assert all(list(row) == COLUMNS[kind] for row in rows)


def test_unreachable_wrong_password_and_unknown_database_are_clear():
    require_server("mysql")
    wrong = CONNECTOR(ConnectionSettings(driver="mysql", database="mysql", user="root", password="not-the-password"))
    report = wrong.test()
    assert not report.ok
    assert report.problems == ["The database at 127.0.0.1:3306/mysql refused the user name or password."]
    unknown = CONNECTOR(ConnectionSettings(driver="mysql", database="closedstacks_no_such_koha", user="root"))
    assert unknown.test().problems == ["There is no database named 'closedstacks_no_such_koha' at "
                                       "127.0.0.1:3306/closedstacks_no_such_koha."]
    closed = CONNECTOR(ConnectionSettings(driver="mysql", database="koha", user="root", port=1))
    assert "cannot be reached" in closed.test().problems[0]
    with pytest.raises(ConnectorError, match="refused the user name or password"):
        wrong.resolve("card", "123")
    missing = CONNECTOR(ConnectionSettings(driver="sqlite", database="/nonexistent/koha.sqlite3"))
    assert missing.test().problems == ["There is no database file at /nonexistent/koha.sqlite3."]
    with pytest.raises(ConnectorError):
        CONNECTOR(ConnectionSettings(driver="oracle", database="koha"))


# -- resolve ------------------------------------------------------------------------------------------------


def test_resolve_each_identifier_type(library):
    raw, connector = library["raw"], library["connector"]
    number, card, userid, surname, first, born = raw.all(
        "SELECT borrowernumber, cardnumber, userid, surname, firstname, dateofbirth FROM borrowers "
        "WHERE borrowernumber = %s", (17,))[0]
    assert connector.resolve("card", card) == ["17"]
    assert connector.resolve("card", f"  {card} ") == ["17"]
    assert connector.resolve("username", userid) == ["17"]
    assert connector.resolve("id", "17") == ["17"]
    assert connector.resolve("card", "00000000000000") == []
    assert connector.resolve("id", str(USERS + 100)) == []
    same_name = {str(r[0]) for r in raw.all("SELECT borrowernumber FROM borrowers WHERE surname = %s AND "
                                            "firstname = %s", (surname, first))}
    assert set(connector.resolve("name", f"{surname}, {first}")) == same_name
    assert set(connector.resolve("name", f"{first.upper()} {surname.lower()}")) == same_name
    assert connector.resolve("name", f"{surname}, {first}", date_of_birth=day(born)) == ["17"]
    assert connector.resolve("card", card, date_of_birth=day(born) + dt.timedelta(days=1)) == []


def test_a_name_needs_the_date_of_birth_to_tell_namesakes_apart(library):
    raw, connector = library["raw"], library["connector"]
    # The generator makes every 50th borrower a namesake of the one before.
    (s1, f1, d1), = raw.all("SELECT surname, firstname, dateofbirth FROM borrowers WHERE borrowernumber = 49")
    (s2, f2, d2), = raw.all("SELECT surname, firstname, dateofbirth FROM borrowers WHERE borrowernumber = 50")
    assert (s1, f1) == (s2, f2) and d1 != d2
    both = connector.resolve("name", f"{f1} {s1}")
    assert {"49", "50"} <= set(both)
    assert connector.resolve("name", f"{f1} {s1}", date_of_birth=day(d1)) == ["49"]
    assert connector.resolve("name", f"{s1}, {f1}", date_of_birth=day(d2)) == ["50"]


def test_multi_word_and_accented_names(library):
    raw, connector = library["raw"], library["connector"]
    rows = raw.all("SELECT borrowernumber, surname, firstname, dateofbirth FROM borrowers")
    tricky = [r for r in rows if " " in r[1] or "'" in r[1] or not r[1].isascii() or not r[2].isascii()]
    assert tricky, "the generator makes names with spaces, apostrophes and accents"
    for number, surname, first, born in tricky[:8]:
        assert str(number) in connector.resolve("name", f"{first} {surname}".upper(), date_of_birth=day(born))
        assert str(number) in connector.resolve("name", f"{surname}, {first}", date_of_birth=day(born))


def test_the_anonymous_patron_is_never_resolved_counted_or_extracted(library):
    raw, connector = library["raw"], library["connector"]
    anonymous = anonymous_of(raw)
    assert raw.all("SELECT COUNT(*) FROM old_issues WHERE borrowernumber = %s", (anonymous,))[0][0] > 0
    assert connector.resolve("id", str(anonymous)) == []
    assert connector.resolve("card", "ANONYMOUS") == []
    assert connector.resolve("username", "anonymous") == []
    assert connector.resolve("name", "Patron Anonymous") == []
    scope = Scope(users=(str(anonymous),), kinds=tuple(KINDS))
    assert set(connector.count(scope).values()) == {0}
    assert list(connector.extract(scope, RecordKind.PAST_LOANS)) == []


@pytest.mark.parametrize("attempt", ["1 OR 1=1", "x' OR '1'='1", "x'; DROP TABLE borrowers; --", "%", "_",
                                     "1; DELETE FROM old_issues", "1) OR (1=1", "\\' OR 1=1 #", "Robert'); --"])
def test_injection_attempts_resolve_to_nothing_and_break_nothing(library, attempt):
    raw, connector = library["raw"], library["connector"]
    for kind in ("card", "username", "id", "name"):
        assert connector.resolve(kind, attempt) == []
    assert connector.resolve("name", f"Smith, {attempt}") == []
    scope = Scope(users=(attempt, "1 OR 1=1"), kinds=tuple(KINDS))
    assert set(connector.count(scope).values()) == {0}
    assert raw.all("SELECT COUNT(*) FROM borrowers")[0][0] == USERS + 1
    assert raw.all("SELECT COUNT(*) FROM old_issues")[0][0] == library["counts"]["old_issues"]


def test_unknown_identifier_type_and_kind_are_refused(library):
    connector = library["connector"]
    with pytest.raises(ConnectorError):
        connector.resolve("ssn", "123")
    with pytest.raises(ConnectorError):
        connector.count(Scope(users=("1",), kinds=("room_bookings",)))


# -- count and extract --------------------------------------------------------------------------------------

# The test's own query per kind: (SQL for the user's rows, index of the user column, index of the date column).
OWN = {
    RecordKind.CURRENT_LOANS: ("SELECT issue_id, borrowernumber, issuedate FROM issues", 1, 2),
    RecordKind.PAST_LOANS: ("SELECT issue_id, borrowernumber, issuedate FROM old_issues", 1, 2),
    RecordKind.HOLDS: ("SELECT reserve_id, borrowernumber, reservedate FROM reserves", 1, 2),
    RecordKind.PAST_HOLDS: ("SELECT reserve_id, borrowernumber, reservedate FROM old_reserves", 1, 2),
    RecordKind.FINES: ("SELECT accountlines_id, borrowernumber, date FROM accountlines", 1, 2),
    RecordKind.SEARCH_HISTORY: ("SELECT id, userid, time FROM search_history", 1, 2),
    RecordKind.STATISTICS: ("SELECT itemnumber, borrowernumber, datetime FROM statistics", 1, 2),
}


def own_count(raw: Raw, kind: str, users: list[int], start: dt.date | None, end: dt.date | None) -> int:
    if kind == RecordKind.PATRON_RECORD:
        return sum(raw.all("SELECT COUNT(*) FROM borrowers WHERE borrowernumber = %s", (u,))[0][0] for u in users)
    sql, user_at, date_at = OWN[kind]
    rows = raw.all(sql)
    return sum(1 for r in rows if r[user_at] in users and (start is None or day(r[date_at]) >= start)
               and (end is None or day(r[date_at]) <= end))


@pytest.mark.parametrize("years", [None, (3, 1), (1, 0)])
def test_count_equals_an_independent_count(library, years):
    raw, connector = library["raw"], library["connector"]
    users = busiest(raw, 3)
    today = dt.date.today()
    start = end = None
    if years:
        start, end = today - dt.timedelta(days=365 * years[0]), today - dt.timedelta(days=365 * years[1])
    counts = connector.count(Scope(users=tuple(map(str, users)), kinds=tuple(KINDS), date_from=start,
                                   date_to=end))
    assert list(counts) == KINDS
    for kind in KINDS:
        assert counts[kind] == own_count(raw, kind, users, start, end), kind
    assert counts[RecordKind.PAST_LOANS] > 0 and counts[RecordKind.STATISTICS] > 0


def test_count_with_nobody_or_unknown_users(library):
    connector = library["connector"]
    assert connector.count(Scope(users=(), kinds=(RecordKind.PAST_LOANS,))) == {RecordKind.PAST_LOANS: 0}
    assert connector.count(Scope(users=("999999",), kinds=tuple(KINDS))) == {kind: 0 for kind in KINDS}


def scope_for(raw: Raw, kinds) -> tuple[Scope, list[int], dt.date, dt.date]:
    """Two busy users, and a range whose both ends fall on days they borrowed on (inclusivity is tested)."""
    users = busiest(raw, 2)
    days = sorted({day(r[0]) for r in raw.all(
        "SELECT issuedate FROM old_issues WHERE borrowernumber IN (%s, %s)", users)})
    start, end = days[len(days) // 4], days[len(days) * 3 // 4]
    return Scope(users=tuple(map(str, users)), kinds=tuple(kinds), date_from=start, date_to=end), users, start, end


def test_extract_past_loans_row_by_row(library):
    raw, connector = library["raw"], library["connector"]
    scope, users, start, end = scope_for(raw, [RecordKind.PAST_LOANS, RecordKind.STATISTICS])
    rows = list(connector.extract(scope, RecordKind.PAST_LOANS))
    own = raw.all("SELECT o.issue_id, o.borrowernumber, o.issuedate, o.date_due, o.returndate, o.renewals_count, "
                  "o.branchcode, o.itemnumber FROM old_issues o WHERE o.borrowernumber IN (%s, %s)", users)
    own = sorted((r for r in own if start <= day(r[2]) <= end), key=lambda r: (iso(r[2]), r[0]))
    assert len(rows) == len(own) > 5
    cards = dict(raw.all("SELECT borrowernumber, cardnumber FROM borrowers WHERE borrowernumber IN (%s, %s)", users))
    for got, mine in zip(rows, own, strict=True):
        issue_id, user, issued, due, returned, renewals, branch, item = mine
        barcode, callnumber, title, author = raw.all(
            "SELECT i.barcode, i.itemcallnumber, b.title, b.author FROM items i, biblio b "
            "WHERE i.itemnumber = %s AND b.biblionumber = i.biblionumber", (item,))[0]
        assert got == {"user": str(user), "card": cards[user], "loan": str(issue_id), "checked_out": iso(issued),
                       "due": iso(due), "returned": iso(returned), "renewals": renewals, "item_barcode": barcode,
                       "title": title, "author": author, "call_number": callnumber, "branch": branch}
        assert list(got) == COLUMNS[RecordKind.PAST_LOANS]
    assert {r["user"] for r in rows} <= set(map(str, users))
    assert all(start.isoformat() <= r["checked_out"][:10] <= end.isoformat() for r in rows)
    assert rows[0]["checked_out"][:10] == start.isoformat() and rows[-1]["checked_out"][:10] == end.isoformat()


def test_extract_statistics_row_by_row(library):
    raw, connector = library["raw"], library["connector"]
    scope, users, start, end = scope_for(raw, [RecordKind.PAST_LOANS, RecordKind.STATISTICS])
    rows = list(connector.extract(scope, RecordKind.STATISTICS))
    own = raw.all("SELECT s.datetime, s.type, s.branch, s.borrowernumber, i.barcode FROM statistics s "
                  "LEFT JOIN items i ON i.itemnumber = s.itemnumber WHERE s.borrowernumber IN (%s, %s)", users)
    own = [r for r in own if start <= day(r[0]) <= end]
    cards = dict(raw.all("SELECT borrowernumber, cardnumber FROM borrowers WHERE borrowernumber IN (%s, %s)", users))
    expected = sorted(({"user": str(u), "card": cards[u], "at": iso(at), "type": t, "branch": b, "item_barcode": bc}
                       for at, t, b, u, bc in own), key=lambda r: (r["at"], r["type"], r["item_barcode"]))
    assert len(rows) == len(expected) > 5
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    key = lambda r: (r["at"], r["type"], r["item_barcode"], r["user"])  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)
    # Statistics keep the borrowernumber even for users whose loans are anonymized (a known Koha leak).
    assert {r["type"] for r in rows} <= {"issue", "return", "renew"}


def test_extract_every_kind_matches_count_and_stays_in_scope(library):
    raw, connector = library["raw"], library["connector"]
    scope, users, start, end = scope_for(raw, KINDS)
    counts = connector.count(scope)
    dates = {RecordKind.CURRENT_LOANS: "checked_out", RecordKind.PAST_LOANS: "checked_out",
             RecordKind.HOLDS: "placed", RecordKind.PAST_HOLDS: "placed", RecordKind.FINES: "date",
             RecordKind.SEARCH_HISTORY: "searched_at", RecordKind.STATISTICS: "at"}
    for kind in KINDS:
        rows = list(connector.extract(scope, kind))
        assert len(rows) == counts[kind], kind
        for row in rows:
            assert list(row) == COLUMNS[kind]
            assert row["user"] in scope.users
            assert row["card"]
            if kind in dates:
                assert start.isoformat() <= row[dates[kind]][:10] <= end.isoformat()
        if kind in dates:
            stamps = [row[dates[kind]] for row in rows]
            assert stamps == sorted(stamps)


def test_extract_fines_holds_and_patron_record_values(library):
    raw, connector = library["raw"], library["connector"]
    users = busiest(raw, 2)
    scope = Scope(users=tuple(map(str, users)), kinds=(RecordKind.FINES, RecordKind.PAST_HOLDS,
                                                       RecordKind.PATRON_RECORD))
    fines = list(connector.extract(scope, RecordKind.FINES))
    own = {str(r[0]): (money(r[1]), money(r[2])) for r in raw.all(
        "SELECT accountlines_id, amount, amountoutstanding FROM accountlines WHERE borrowernumber IN (%s, %s)",
        users)}
    assert {f["fine"]: (f["amount"], f["outstanding"]) for f in fines} == own
    assert any(f["description"] == "OVERDUE" for f in fines)
    holds = list(connector.extract(scope, RecordKind.PAST_HOLDS))
    assert {h["outcome"] for h in holds} <= {"filled", "cancelled", "expired", "ended"}
    assert "filled" in {h["outcome"] for h in holds}
    records = list(connector.extract(scope, RecordKind.PATRON_RECORD))
    assert [r["user"] for r in records] == sorted(map(str, users), key=int)
    for record in records:
        (card, userid, surname, born, email), = raw.all(
            "SELECT cardnumber, userid, surname, dateofbirth, email FROM borrowers WHERE borrowernumber = %s",
            (int(record["user"]),))
        assert (record["card"], record["username"], record["surname"], record["date_of_birth"], record["email"]) == \
            (card, userid, surname, iso(born), email)
        assert len(card) == 14 and card.isdigit()


# -- the generator ------------------------------------------------------------------------------------------


def test_generator_is_deterministic_and_realistic(tmp_path):
    first, second = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    progress = []
    counts = generate(ConnectionSettings(driver="sqlite", database=str(first)), users=60, loans=1500, seed=11,
                      progress=lambda done, total, label: progress.append((done, total, label)))
    assert counts == generate(ConnectionSettings(driver="sqlite", database=str(second)), users=60, loans=1500,
                              seed=11)
    assert ("loans" in {p[2] for p in progress}) and progress[-1][0] == progress[-1][1]
    a, b = sqlite3.connect(first), sqlite3.connect(second)
    for table in ("borrowers", "old_issues", "issues", "statistics", "accountlines", "old_reserves"):
        assert a.execute(f"SELECT * FROM {table}").fetchall() == b.execute(f"SELECT * FROM {table}").fetchall()
    assert a.execute("SELECT COUNT(*) FROM old_issues WHERE returndate <= issuedate").fetchone()[0] == 0
    assert a.execute("SELECT COUNT(*) FROM old_issues WHERE issuedate < date('now', '-1830 days')").fetchone()[0] \
        == 0
    privacy = dict(a.execute("SELECT privacy, COUNT(*) FROM borrowers GROUP BY privacy").fetchall())
    assert privacy[1] > privacy.get(0, 0) and privacy[1] > privacy.get(2, 0)
    # Loans of users who chose "never keep" (privacy 2) went to the AnonymousPatron.
    assert a.execute("SELECT COUNT(*) FROM old_issues o JOIN borrowers p ON p.borrowernumber = o.borrowernumber "
                     "WHERE p.privacy = 2").fetchone()[0] == 0
    assert a.execute("SELECT COUNT(DISTINCT itemnumber) FROM issues").fetchone()[0] == counts["issues"]
