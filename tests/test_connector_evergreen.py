"""The Evergreen connector against real databases (PostgreSQL and SQLite), checked row by row.

Each test generates a small Evergreen-shaped database, then compares what the
connector answers with what the test computes itself from plain single-table
queries (renewal chains are followed in Python, not with the connector's
recursive SQL).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from closedstacks.ils import generators
from closedstacks.ils.connectors import get
from closedstacks.ils.connectors.base import COLUMNS, ConnectorError, Scope
from closedstacks.ils.connectors.db import ConnectionSettings, connect
from closedstacks.ils.connectors.evergreen import CONNECTOR
from closedstacks.ils.generators.evergreen import generate
from tests.ils import evergreen_database, ils_url  # noqa: F401 (a fixture)

DRIVERS = ["postgresql", "sqlite"]
USERS, LOANS = 200, 5000
RANGE = (dt.date(2022, 1, 1), dt.date(2024, 6, 30))


def iso(value):
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    value = str(value)
    return dt.date.fromisoformat(value).isoformat() if len(value) == 10 else \
        dt.datetime.fromisoformat(value).isoformat()


def build(ils_url, driver, **kwargs):  # noqa: F811
    url = evergreen_database(ils_url, driver)
    settings = ConnectionSettings.from_url(url)
    counts = generate(settings, users=USERS, loans=LOANS, **kwargs)
    return settings, counts


def query(settings, sql, params=()):
    with connect(settings, autocommit=False) as db:
        return list(db.rows(sql, params))


def t(settings, name):
    return name if settings.driver == "postgresql" else name.replace(".", "_")


def execute(settings, *statements):
    with connect(settings, autocommit=False) as db:
        cursor = db.connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        db.connection.commit()


class Truth:
    """The database as the test reads it: whole tables, joined in Python."""

    def __init__(self, settings):
        q = lambda sql: query(settings, sql)  # noqa: E731
        T = lambda name: t(settings, name)  # noqa: E731
        self.users = {r[0]: r for r in q(f"SELECT id, card, usrname, family_name, first_given_name, dob, deleted, "
                                         f"home_ou, profile, mailing_address, email, day_phone "
                                         f"FROM {T('actor.usr')}")}
        self.cards = {r[0]: r for r in q(f"SELECT id, usr, barcode, active FROM {T('actor.card')}")}
        self.orgs = dict(q(f"SELECT id, shortname FROM {T('actor.org_unit')}"))
        self.copies = {r[0]: r for r in q(f"SELECT id, barcode, call_number FROM {T('asset.copy')}")}
        self.cns = {r[0]: r for r in q(f"SELECT id, record, label FROM {T('asset.call_number')}")}
        self.records = {r[0]: r for r in q(f"SELECT id, title, author FROM {T('reporter.materialized_simple_record')}")}
        self.circs = {r[0]: r for r in q(f"SELECT id, usr, xact_start, xact_finish, target_copy, circ_lib, due_date, "
                                         f"checkin_time, parent_circ FROM {T('action.circulation')}")}
        self.holds = q(f"SELECT id, usr, request_time, fulfillment_time, cancel_time, cancel_cause, capture_time, "
                       f"shelf_time, frozen, target, hold_type, pickup_lib FROM {T('action.hold_request')}")
        self.history = q(f"SELECT id, usr, xact_start, due_date, checkin_time, target_copy "
                         f"FROM {T('action.usr_circ_history')}")

    def card(self, uid):
        return self.cards[self.users[uid][1]][2]

    def item(self, copy_id):
        barcode, cn = self.copies[copy_id][1], self.copies[copy_id][2]
        record = self.cns[cn][1]
        return barcode, self.records[record][1], self.records[record][2], self.cns[cn][2]

    def title_of_hold(self, hold_type, target):
        record = target if hold_type == "T" else self.cns[target][1] if hold_type == "V" \
            else self.cns[self.copies[target][2]][1]
        return self.records[record][1], self.records[record][2]

    def chains(self):
        """(head, [circulations of the chain, in order]) for every loan, following parent_circ."""
        child = {c[8]: c for c in self.circs.values() if c[8] is not None}
        for circ in self.circs.values():
            if circ[8] is None or circ[8] not in self.circs:
                chain = [circ]
                while chain[-1][0] in child:
                    chain.append(child[chain[-1][0]])
                yield circ, chain

    def expected(self, kind, users, date_from=None, date_to=None):
        def inside(value):
            day = iso(value)[:10]
            return (not date_from or day >= date_from.isoformat()) and (not date_to or day <= date_to.isoformat())

        rows = []
        if kind == "patron_record":
            return sorted(uid for uid in users if uid in self.users)
        if kind in ("current_loans", "past_loans"):
            for head, chain in self.chains():
                last = chain[-1]
                current = last[7] is None and last[3] is None
                if head[1] not in users or not inside(head[2]) or current != (kind == "current_loans"):
                    continue
                barcode, title, author, label = self.item(last[4])
                row = {"user": str(head[1]), "card": self.card(head[1]), "loan": str(head[0]),
                       "checked_out": iso(head[2]), "due": iso(last[6]), "returned": iso(last[7]),
                       "renewals": len(chain) - 1, "item_barcode": barcode, "title": title, "author": author,
                       "call_number": label, "branch": self.orgs[head[5]]}
                rows.append(((iso(head[2]), head[0]), {k: row[k] for k in COLUMNS[kind]}))
        elif kind in ("holds", "past_holds"):
            for h in self.holds:
                is_open = h[3] is None and h[4] is None
                if h[1] not in users or not inside(h[2]) or is_open != (kind == "holds"):
                    continue
                title, author = self.title_of_hold(h[10], h[9])
                status = ("suspended" if h[8] else "ready for pickup" if h[7] is not None
                          else "in transit" if h[6] is not None else "waiting")
                outcome = "fulfilled" if h[3] is not None else "expired" if h[5] in (1, 2) else "cancelled"
                row = {"user": str(h[1]), "card": self.card(h[1]), "hold": str(h[0]), "placed": iso(h[2]),
                       "status": status, "ended": iso(h[3] or h[4]), "outcome": outcome, "title": title,
                       "author": author, "pickup_branch": self.orgs[h[11]]}
                rows.append(((iso(h[2]), h[0]), {k: row[k] for k in COLUMNS[kind]}))
        elif kind == "reading_history":
            for h in self.history:
                if h[1] not in users or not inside(h[2]):
                    continue
                barcode, title, author, _ = self.item(h[5])
                rows.append(((iso(h[2]), h[0]), {
                    "user": str(h[1]), "card": self.card(h[1]), "checked_out": iso(h[2]), "due": iso(h[3]),
                    "returned": iso(h[4]), "item_barcode": barcode, "title": title, "author": author}))
        return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


@pytest.mark.parametrize("driver", DRIVERS)
def test_registry_generate_and_test_connection(ils_url, driver):  # noqa: F811
    assert get("evergreen") is CONNECTOR and generators.get("evergreen") is generate
    settings, counts = build(ils_url, driver)
    assert counts["action.circulation"] == LOANS and counts["actor.usr"] == USERS
    assert counts["action.aged_circulation"] > 0 and counts["action.usr_circ_history"] > 0
    report = CONNECTOR(settings).test()
    assert report.ok, report.problems
    assert report.problems == []
    for table in ("actor.usr", "actor.card", "action.circulation", "action.hold_request",
                  "action.usr_circ_history", "asset.copy"):
        assert report.tables[table] == counts[table]
    assert set(CONNECTOR(settings).kinds()) == {"patron_record", "current_loans", "past_loans", "holds",
                                                "past_holds", "reading_history"}
    truth = Truth(settings)
    # The data is realistic: renewal chains, open and closed loans, old inactive cards, all kinds of holds.
    lengths = [len(chain) for _, chain in truth.chains()]
    assert max(lengths) >= 3 and sum(lengths) == LOANS
    assert any(c[7] is None for c in truth.circs.values()) and any(c[7] for c in truth.circs.values())
    assert any(not card[3] for card in truth.cards.values())
    assert {h[10] for h in truth.holds} == {"T", "C", "V"}
    assert any(h[3] for h in truth.holds) and any(h[4] for h in truth.holds)
    assert any(h[3] is None and h[4] is None for h in truth.holds)


def test_generate_is_deterministic(ils_url):  # noqa: F811
    first, _ = build(ils_url, "sqlite", seed=7)
    second, _ = build(ils_url, "sqlite", seed=7)
    sql = "SELECT * FROM action_circulation ORDER BY id"
    assert query(first, sql) == query(second, sql)
    sql = "SELECT * FROM actor_usr ORDER BY id"
    assert query(first, sql) == query(second, sql)


@pytest.mark.parametrize("driver", DRIVERS)
def test_missing_table_and_column_are_named(ils_url, driver):  # noqa: F811
    settings, _ = build(ils_url, driver)
    execute(settings, f"DROP TABLE {t(settings, 'action.usr_circ_history')}",
            f"ALTER TABLE {t(settings, 'action.circulation')} RENAME COLUMN parent_circ TO parent_xact")
    report = CONNECTOR(settings).test()
    assert not report.ok
    assert "table action.usr_circ_history is missing" in report.problems
    assert "column action.circulation.parent_circ is missing" in report.problems
    assert report.tables["action.usr_circ_history"] is None
    assert len(report.problems) == 2
    # Querying anyway is an error that says what to do, not a driver traceback.
    with pytest.raises(ConnectorError, match="Test connection"):
        CONNECTOR(settings).count(Scope(users=("1",), kinds=("past_loans",)))


def test_unreachable_or_unknown_database_is_a_clear_problem(ils_url):  # noqa: F811
    settings, _ = build(ils_url, "postgresql")
    wrong_name = ConnectionSettings(driver="postgresql", database="no_such_evergreen", host=settings.host,
                                    port=settings.port, user=settings.user)
    report = CONNECTOR(wrong_name).test()
    assert not report.ok and report.problems == ["There is no database named 'no_such_evergreen' at "
                                                 f"{settings.host}:{settings.port or 5432}/no_such_evergreen."]
    closed_port = ConnectionSettings(driver="postgresql", database="evergreen", host="127.0.0.1", port=1,
                                     user="postgres")
    report = CONNECTOR(closed_port).test()
    assert not report.ok and "cannot be reached" in report.problems[0]
    with pytest.raises(ConnectorError, match="cannot be reached"):
        CONNECTOR(closed_port).resolve("card", "123")
    no_file = ConnectionSettings(driver="sqlite", database="/nonexistent/evergreen.sqlite3")
    report = CONNECTOR(no_file).test()
    assert not report.ok and report.problems == ["There is no database file at /nonexistent/evergreen.sqlite3."]
    with pytest.raises(ConnectorError):
        CONNECTOR(ConnectionSettings(driver="mysql", database="evergreen"))


def _squash(text: str) -> str:
    """evergreen.unaccent_and_squash in Python: no accents, spaces or punctuation, lower-cased."""
    import unicodedata

    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(c for c in bare if c.isalnum()).lower()


@pytest.mark.parametrize("driver", ["postgresql"])
def test_names_in_capitals_with_accents_are_found_as_evergreen_finds_them(ils_url, driver):  # noqa: F811
    """A C-locale Evergreen: lower() leaves Ú and Ñ as they are, so court papers' NÚÑEZ would find no one; the
    connector folds as Evergreen does (and through its indexes)."""
    settings, _ = build(ils_url, driver)
    assert query(settings, "SELECT lower('NÚÑEZ')")[0][0] != "núñez"  # the database is in the C locale
    truth = Truth(settings)
    accented = [(uid, u) for uid, u in truth.users.items() if not u[6] and u[3] != u[3].encode("ascii", "ignore")
                .decode()]
    assert accented, "the generator gives some users accented names"
    uid, user = accented[0]
    connector = CONNECTOR(settings)
    for written in (f"{user[3].upper()}, {user[4].upper()}", f"{_squash(user[4])} {_squash(user[3])}",
                    f"  {user[4]}   {user[3].upper()} "):
        assert str(uid) in connector.resolve("name", written), written
    plan = "\n".join(r[0] for r in query(settings, "EXPLAIN SELECT id FROM actor.usr WHERE "
                                          "evergreen.unaccent_and_squash(family_name) = evergreen.unaccent_and_squash"
                                          "('NÚÑEZ')"))
    assert "unaccent" in plan  # Evergreen's own index on the folded name serves the lookup


@pytest.mark.parametrize("driver", DRIVERS)
def test_resolve_each_identifier(ils_url, driver):  # noqa: F811
    settings, _ = build(ils_url, driver)
    truth, connector = Truth(settings), CONNECTOR(settings)
    live = {uid: u for uid, u in truth.users.items() if not u[6]}
    deleted = [uid for uid, u in truth.users.items() if u[6]]
    assert deleted, "the generator marks some users deleted"
    # An old, inactive card still finds its user; so does the current one.
    old = next(card for card in truth.cards.values() if not card[3] and card[1] in live)
    assert connector.resolve("card", old[2]) == [str(old[1])]
    assert connector.resolve("card", " " + truth.card(old[1]) + " ") == [str(old[1])]
    assert connector.resolve("card", "29999009999999") == []
    uid, user = next(iter(live.items()))
    assert connector.resolve("username", user[2].upper()) == [str(uid)]
    assert connector.resolve("id", str(uid)) == [str(uid)]
    assert connector.resolve("id", "not a number") == [] and connector.resolve("id", "") == []
    family, first, dob = user[3], user[4], iso(user[5])
    fold = _squash if driver == "postgresql" else str.lower  # as Evergreen's patron search folds names
    namesakes = sorted(str(u) for u, r in live.items()
                       if fold(r[3]) == fold(family) and fold(r[4]) == fold(first))
    assert connector.resolve("name", f"{family}, {first}") == namesakes
    assert connector.resolve("name", f"{first.upper()} {family.lower()}") == namesakes
    assert connector.resolve("name", f"{family}, {first}", date_of_birth=dt.date.fromisoformat(dob)) == \
        sorted(str(u) for u in map(int, namesakes) if iso(live[u][5]) == dob)
    # Namesakes (the generator makes every 50th user share the previous one's name): the date of birth decides.
    a, b = truth.users[49], truth.users[50]
    assert (a[3], a[4]) == (b[3], b[4]) and a[5] != b[5]
    both = connector.resolve("name", f"{a[4]} {a[3]}")
    assert {"49", "50"} <= set(both) or a[6] or b[6]
    for u in (a, b):
        if not u[6]:
            found = connector.resolve("name", f"{u[3]}, {u[4]}", date_of_birth=dt.date.fromisoformat(iso(u[5])))
            assert str(u[0]) in found and all(iso(truth.users[int(f)][5]) == iso(u[5]) for f in found)
    # Deleted users are found by nothing.
    gone = truth.users[deleted[0]]
    assert connector.resolve("id", str(gone[0])) == []
    assert connector.resolve("username", gone[2]) == []
    assert connector.resolve("card", truth.card(gone[0])) == []
    assert str(gone[0]) not in connector.resolve("name", f"{gone[3]}, {gone[4]}")
    with pytest.raises(ConnectorError):
        connector.resolve("email", "someone@example.org")


@pytest.mark.parametrize("driver", DRIVERS)
def test_injection_attempts_find_nothing_and_break_nothing(ils_url, driver):  # noqa: F811
    settings, counts = build(ils_url, driver)
    connector = CONNECTOR(settings)
    attempts = ["' OR '1'='1", "1 OR 1=1", "1; DROP TABLE actor.usr; --", "x'); DELETE FROM actor_card; --",
                "Smith' OR 'a'='a, John", "%", "_"]
    for value in attempts:
        for kind in ("card", "username", "id", "name"):
            assert connector.resolve(kind, value) == [], (kind, value)
    scope = Scope(users=("1 OR 1=1", "0) OR (1=1"), kinds=("past_loans", "patron_record"))
    assert connector.count(scope) == {"past_loans": 0, "patron_record": 0}
    assert list(connector.extract(scope, "past_loans")) == []
    report = connector.test()
    assert report.ok and report.tables["actor.usr"] == counts["actor.usr"]
    assert report.tables["actor.card"] == counts["actor.card"]


def busy_users(truth, n):
    per_user = defaultdict(int)
    for c in truth.circs.values():
        per_user[c[1]] += 1
    readers = {h[1] for h in truth.history}
    ranked = sorted(per_user, key=lambda u: (-per_user[u], u))
    chosen = [u for u in ranked if u in readers][:1] + [u for u in ranked if u not in readers][:n - 1]
    return chosen


@pytest.mark.parametrize("driver", DRIVERS)
def test_count_equals_an_independent_count(ils_url, driver):  # noqa: F811
    settings, _ = build(ils_url, driver)
    truth, connector = Truth(settings), CONNECTOR(settings)
    users = busy_users(truth, 5) + [10**9]  # and one that does not exist
    kinds = tuple(connector.kinds())
    for date_from, date_to in (RANGE, (None, None), (dt.date(2024, 3, 1), None), (None, dt.date(2021, 12, 31))):
        scope = Scope(users=tuple(map(str, users)), kinds=kinds, date_from=date_from, date_to=date_to)
        expected = {kind: len(truth.expected(kind, set(users), date_from, date_to)) for kind in kinds}
        assert connector.count(scope) == expected
        assert all(expected[k] for k in ("past_loans", "past_holds", "reading_history")) or date_to
    assert connector.count(Scope(users=(), kinds=kinds)) == dict.fromkeys(kinds, 0)
    # Every loan is either current or past, once, renewals folded in.
    everyone = Scope(users=tuple(str(u) for u in truth.users), kinds=("current_loans", "past_loans"))
    counted = connector.count(everyone)
    assert counted["current_loans"] > 0
    assert counted["current_loans"] + counted["past_loans"] == sum(1 for _ in truth.chains()) < LOANS


@pytest.mark.parametrize("driver", DRIVERS)
def test_extract_two_users_a_range_and_two_kinds_row_by_row(ils_url, driver):  # noqa: F811
    settings, _ = build(ils_url, driver)
    truth, connector = Truth(settings), CONNECTOR(settings)
    # Two users with a renewed loan in the range.
    renewed = sorted({head[1] for head, chain in truth.chains() if len(chain) >= 2 and RANGE[0].isoformat()
                      <= iso(head[2])[:10] <= RANGE[1].isoformat() and (chain[-1][7] or chain[-1][3])})
    users = renewed[:2]
    scope = Scope(users=tuple(map(str, users)), kinds=("past_loans", "past_holds"), date_from=RANGE[0],
                  date_to=RANGE[1])
    for kind in scope.kinds:
        rows = list(connector.extract(scope, kind))
        expected = truth.expected(kind, set(users), *RANGE)
        assert rows, kind
        assert len(rows) == len(expected)
        for got, want in zip(rows, expected, strict=True):
            assert list(got) == COLUMNS[kind]
            assert got == want
        assert {row["user"] for row in rows} <= set(map(str, users))
        date_column = "checked_out" if kind == "past_loans" else "placed"
        assert all(RANGE[0].isoformat() <= row[date_column][:10] <= RANGE[1].isoformat() for row in rows)
    # A renewal chain is one loan, with the first checkout and the last circulation's due date and check-in.
    loans = {row["loan"]: row for row in connector.extract(scope, "past_loans")}
    head, chain = next((h, c) for h, c in truth.chains() if h[1] in users and len(c) >= 2 and str(h[0]) in loans)
    row = loans[str(head[0])]
    assert row["renewals"] == len(chain) - 1
    assert row["checked_out"] == iso(head[2]) and row["due"] == iso(chain[-1][6])
    assert row["returned"] == iso(chain[-1][7]) and row["returned"] != iso(head[7])
    assert not any(str(c[0]) in loans for c in chain[1:])
    # Kinds outside the scope, and kinds Evergreen has not, are refused.
    with pytest.raises(ConnectorError):
        list(connector.extract(scope, "holds"))
    with pytest.raises(ConnectorError):
        list(connector.extract(Scope(users=scope.users, kinds=("fines",)), "fines"))


@pytest.mark.parametrize("driver", DRIVERS)
def test_every_kind_matches_row_by_row(ils_url, driver):  # noqa: F811
    settings, _ = build(ils_url, driver)
    truth, connector = Truth(settings), CONNECTOR(settings)
    users = busy_users(truth, 3)
    scope = Scope(users=tuple(map(str, users)), kinds=tuple(connector.kinds()))
    for kind in scope.kinds:
        rows = list(connector.extract(scope, kind))
        if kind == "patron_record":
            assert [row["user"] for row in rows] == [str(u) for u in sorted(users)]
            for row in rows:
                u = truth.users[int(row["user"])]
                assert (row["card"], row["username"], row["surname"], row["first_name"], row["date_of_birth"],
                        row["email"], row["branch"]) == (truth.card(u[0]), u[2], u[3], u[4], iso(u[5]), u[10],
                                                         truth.orgs[u[7]])
                assert row["address"] and row["category"] and list(row) == COLUMNS[kind]
            continue
        assert rows == truth.expected(kind, set(users)), kind
        assert rows, kind


@pytest.mark.parametrize("driver", DRIVERS)
def test_extra_unknown_columns_are_tolerated(ils_url, driver):  # noqa: F811
    settings, _ = build(ils_url, driver)
    truth, connector = Truth(settings), CONNECTOR(settings)
    users = busy_users(truth, 2)
    scope = Scope(users=tuple(map(str, users)), kinds=tuple(connector.kinds()), date_from=RANGE[0],
                  date_to=RANGE[1])
    before = {kind: list(connector.extract(scope, kind)) for kind in scope.kinds}
    execute(settings, *(f"ALTER TABLE {t(settings, table)} ADD COLUMN local_note_{i} TEXT DEFAULT 'x'"
                        for i, table in enumerate(("actor.usr", "actor.card", "action.circulation",
                                                   "action.hold_request", "action.usr_circ_history", "asset.copy",
                                                   "reporter.materialized_simple_record"))))
    report = connector.test()
    assert report.ok, report.problems
    assert {kind: list(connector.extract(scope, kind)) for kind in scope.kinds} == before
