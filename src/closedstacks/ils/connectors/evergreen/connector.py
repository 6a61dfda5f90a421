"""The connector to Evergreen: read-only queries on its PostgreSQL database (or an Evergreen-shaped SQLite one).

What it reads (and :meth:`EvergreenConnector.test` checks): ``actor.usr``,
``actor.card``, ``actor.usr_address``, ``actor.org_unit``,
``permission.grp_tree``, ``action.circulation``, ``action.hold_request``,
``action.usr_circ_history``, ``asset.copy``, ``asset.call_number`` and, for
titles and authors, ``reporter.materialized_simple_record`` (the flattened
title/author table Evergreen maintains from ``metabib`` for its reports; a
pre-catalogued copy's ``dummy_title``/``dummy_author`` stand in when the copy
has no record).

Decisions, each a reading of what a subpoena asks for:

* **Renewals.** Evergreen records a renewal as a new circulation whose
  ``parent_circ`` is the one renewed (and which the renewal "checked in").
  A loan is the whole chain: it is reported **once**, as its first
  circulation (``loan`` = that circulation's id, ``checked_out`` = its
  ``xact_start``, ``branch`` = its circulating library), with ``due`` and
  ``returned`` taken from the chain's **last** circulation and ``renewals``
  = the chain's length minus one. The chain is followed with ``WITH
  RECURSIVE`` (PostgreSQL and SQLite). A chain's head is a circulation with
  no parent, or whose parent is no longer in ``action.circulation`` (aged).
* **Current or past.** A loan is current when its last circulation has
  neither ``checkin_time`` nor ``xact_finish``; otherwise it is past (so a
  lost-and-paid item, closed without a check-in, is past with ``returned``
  empty). Every loan is exactly one of the two.
* **Dates.** ``date_from``/``date_to`` are inclusive whole days, applied to
  when the loan began (the head's ``xact_start``), when a hold was placed
  (``request_time``), when a reading-history loan began
  (``usr_circ_history.xact_start``). Timestamps are compared with the
  database session's time zone (``date_to`` means "before midnight starting
  the next day"). The registration record (``patron_record``) has no date:
  it is one row per user in scope, whatever the range.
* **Holds.** Open = neither fulfilled nor cancelled (``status``: suspended,
  ready for pickup, in transit, waiting). Past = fulfilled or cancelled
  (``outcome``: fulfilled, expired — cancel causes 1 and 2, Evergreen's
  untargeted and hold-shelf expirations — or cancelled). Title holds (T)
  target a record, volume holds (V) a call number, copy holds (C, R, F) a
  copy; metarecord holds (M) have no single title.
* **Aged rows** (``action.aged_circulation``, ``action.aged_hold_request``)
  have no user, so no scope reaches them.
* **Connection failures** in :meth:`test` become ``ok=False`` with the
  message (unreachable, refused password, unknown database) as its problem;
  the other operations raise :class:`ConnectorError`.

SQL is built only from constant fragments and ``%s`` placeholders; user ids,
identifiers and dates are always parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from closedstacks.ils.connectors.base import COLUMNS, Connector, ConnectorError, Scope, TestReport
from closedstacks.library.choices import RecordKind

# Every table and column the connector reads.
NEEDS: dict[str, tuple[str, ...]] = {
    "actor.usr": ("id", "card", "profile", "usrname", "email", "first_given_name", "family_name", "day_phone",
                  "evening_phone", "other_phone", "mailing_address", "home_ou", "dob", "deleted"),
    "actor.card": ("id", "usr", "barcode"),
    "actor.usr_address": ("id", "street1", "street2", "city", "state", "post_code"),
    "actor.org_unit": ("id", "shortname"),
    "permission.grp_tree": ("id", "name"),
    "action.circulation": ("id", "usr", "xact_start", "xact_finish", "target_copy", "circ_lib", "due_date",
                           "checkin_time", "parent_circ"),
    "action.hold_request": ("id", "usr", "request_time", "fulfillment_time", "cancel_time", "cancel_cause",
                            "capture_time", "shelf_time", "frozen", "target", "hold_type", "pickup_lib"),
    "action.usr_circ_history": ("id", "usr", "xact_start", "target_copy", "due_date", "checkin_time"),
    "asset.copy": ("id", "barcode", "call_number", "dummy_title", "dummy_author"),
    "asset.call_number": ("id", "record", "label"),
    "reporter.materialized_simple_record": ("id", "title", "author"),
}
# The tables whose rows "Test connection" counts.
COUNTED = ("actor.usr", "actor.card", "action.circulation", "action.hold_request", "action.usr_circ_history",
           "asset.copy")

KINDS = [RecordKind.PATRON_RECORD, RecordKind.CURRENT_LOANS, RecordKind.PAST_LOANS, RecordKind.HOLDS,
         RecordKind.PAST_HOLDS, RecordKind.READING_HISTORY]


def _iso(value) -> str | None:
    """A date or timestamp from either driver as an ISO string."""
    if value is None:
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    text = str(value)
    try:
        return (dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)).isoformat()
    except ValueError:
        return text


class EvergreenConnector(Connector):
    name = "evergreen"
    label = "Evergreen"
    drivers = ("postgresql", "sqlite")

    # -- plumbing ----------------------------------------------------------------------------------------

    def _t(self, db, name: str) -> str:
        return db.table(name)

    def _param(self, db, value):
        return db.date_param(value)

    @staticmethod
    def _user_ids(scope: Scope) -> list[int]:
        ids = []
        for user in scope.users:
            try:
                ids.append(int(str(user).strip()))
            except ValueError:
                continue
        return ids

    def _range(self, db, column: str, scope: Scope) -> tuple[str, list]:
        """`` AND column >= %s AND column < %s`` for the inclusive day range (constant fragments only)."""
        sql, params = "", []
        if scope.date_from:
            sql += f" AND {column} >= %s"
            params.append(self._param(db, scope.date_from))
        if scope.date_to:
            sql += f" AND {column} < %s"
            params.append(self._param(db, scope.date_to + dt.timedelta(days=1)))
        return sql, params

    # -- the five operations ------------------------------------------------------------------------------

    def test(self) -> TestReport:
        report = TestReport(ok=True, server=f"Evergreen at {self.settings.where}")
        self._testing = True
        try:
            with self.session() as db:
                self.report_release(db, report)
                if db.driver == "postgresql" and "lowercase" not in _evergreen_functions(db):
                    report.warnings.append("evergreen.lowercase() is missing: names and usernames are compared with "
                                           "PostgreSQL's lower(), which in Evergreen's C locale folds only A-Z.")
                for table, columns in NEEDS.items():
                    found = db.columns(db.table(table))
                    if found is None:
                        report.problems.append(f"table {table} is missing")
                        report.tables[table] = None
                        continue
                    for column in columns:
                        if column not in found:
                            report.problems.append(f"column {table}.{column} is missing")
                    if table in COUNTED:
                        report.tables[table] = db.one(f"SELECT COUNT(*) FROM {db.table(table)}")[0]
        except ConnectorError as exc:
            report.problems.append(str(exc))
        finally:
            self._testing = False
        report.ok = not report.problems
        return report

    def kinds(self) -> list[str]:
        return [str(kind) for kind in KINDS]

    def _fold(self, db, *, name: bool = False):
        """How a username (or, with ``name``, a name) is folded for comparing, on both sides, as Evergreen folds
        and indexes it: usernames with ``evergreen.lowercase`` (Perl's ``lc``: every letter), not ``lower()``,
        which in the C locale Evergreen's database is created in folds only A-Z; names, as its patron search does,
        with ``evergreen.unaccent_and_squash`` (accents, spaces and punctuation gone, lower-cased: "NÚÑEZ" is
        "Nunez"). SQLite (test databases): a Python function that folds every letter."""
        if db.driver == "sqlite":
            db.connection.create_function("closedstacks_lower", 1, _lower, deterministic=True)
            return "closedstacks_lower({})".format
        if "_functions" not in self.__dict__:
            self._functions = _evergreen_functions(db)
        if name and "unaccent_and_squash" in self._functions:
            return "evergreen.unaccent_and_squash({})".format
        return ("evergreen.lowercase({})" if "lowercase" in self._functions else "LOWER({})").format

    def resolve(self, identifier_type: str, value: str, *, date_of_birth: dt.date | None = None) -> list[str]:
        value = (value or "").strip()
        if not value:
            return []
        with self.session() as db:
            usr, card = db.table("actor.usr"), db.table("actor.card")
            if identifier_type == "card":
                sql = (f"SELECT DISTINCT u.id FROM {card} c JOIN {usr} u ON u.id = c.usr "
                       f"WHERE c.barcode = %s AND NOT u.deleted")
                params: list = [value]
            elif identifier_type == "username":
                fold = self._fold(db)
                sql = f"SELECT u.id FROM {usr} u WHERE {fold('u.usrname')} = {fold('%s')} AND NOT u.deleted"
                params = [value]
            elif identifier_type == "id":
                if not value.isdigit() or len(value) > 18:
                    return []
                sql, params = f"SELECT u.id FROM {usr} u WHERE u.id = %s AND NOT u.deleted", [int(value)]
            elif identifier_type == "name":
                pairs = _name_candidates(value)
                if not pairs:
                    return []
                fold = self._fold(db, name=True)
                sql = (f"SELECT u.id FROM {usr} u WHERE NOT u.deleted AND ("
                       + " OR ".join([f"({fold('u.family_name')} = {fold('%s')} AND {fold('u.first_given_name')} = "
                                      f"{fold('%s')})"] * len(pairs)) + ")")
                params = [part for pair in pairs for part in pair]
            else:
                raise ConnectorError(f"Evergreen cannot look users up by {identifier_type!r} "
                                     f"(it can by card, username, id or name).")
            if date_of_birth is not None:
                sql += " AND u.dob = %s"
                params.append(self._param(db, date_of_birth))
            sql += " ORDER BY u.id"
            return [str(row[0]) for row in db.rows(sql, params)]

    def count(self, scope: Scope) -> dict[str, int]:
        counts: dict[str, int] = {}
        ids = self._user_ids(scope)
        with self.session() as db:
            for kind in scope.kinds:
                if kind not in KINDS:
                    continue
                if not ids:
                    counts[kind] = 0
                    continue
                sql, params = self._query(db, kind, ids, scope, count=True)
                counts[kind] = int(db.one(sql, params)[0])
        return counts

    def extract(self, scope: Scope, kind: str) -> Iterator[dict]:
        if kind not in KINDS:
            raise ConnectorError(f"Evergreen has no records of the kind {kind!r}.")
        if kind not in scope.kinds:
            raise ConnectorError(f"The scope does not name {kind!r}.")
        ids = self._user_ids(scope)
        if not ids:
            return
        columns = COLUMNS[kind]
        with self.session() as db:
            sql, params = self._query(db, kind, ids, scope, count=False)
            for row in db.rows(sql, params, stream=True):
                yield self._shape(kind, columns, row)

    # -- the queries --------------------------------------------------------------------------------------

    def _query(self, db, kind: str, ids: list[int], scope: Scope, *, count: bool) -> tuple[str, list]:
        t = db.table
        users = "(" + ", ".join(["%s"] * len(ids)) + ")"
        card = f"(SELECT cd.barcode FROM {t('actor.card')} cd WHERE cd.id = u.card)"
        item = (f" LEFT JOIN {t('asset.copy')} cp ON cp.id = {{copy}}"
                f" LEFT JOIN {t('asset.call_number')} cn ON cn.id = cp.call_number"
                f" LEFT JOIN {t('reporter.materialized_simple_record')} rec ON rec.id = cn.record")
        title = "COALESCE(rec.title, cp.dummy_title), COALESCE(rec.author, cp.dummy_author)"
        if kind == RecordKind.PATRON_RECORD:
            if count:
                return f"SELECT COUNT(*) FROM {t('actor.usr')} u WHERE u.id IN {users}", list(ids)
            return (f"SELECT u.id, {card}, u.usrname, u.family_name, u.first_given_name, u.dob,"
                    f" a.street1, a.street2, a.city, a.state, a.post_code, u.email,"
                    f" COALESCE(u.day_phone, u.evening_phone, u.other_phone), ou.shortname, g.name"
                    f" FROM {t('actor.usr')} u"
                    f" LEFT JOIN {t('actor.usr_address')} a ON a.id = u.mailing_address"
                    f" LEFT JOIN {t('actor.org_unit')} ou ON ou.id = u.home_ou"
                    f" LEFT JOIN {t('permission.grp_tree')} g ON g.id = u.profile"
                    f" WHERE u.id IN {users} ORDER BY u.id"), list(ids)
        if kind in (RecordKind.CURRENT_LOANS, RecordKind.PAST_LOANS):
            circ = t("action.circulation")
            when, when_params = self._range(db, "c.xact_start", scope)
            open_ = "t.checkin_time IS NULL AND t.xact_finish IS NULL"
            state = open_ if kind == RecordKind.CURRENT_LOANS else f"NOT ({open_})"
            chains = (f"WITH RECURSIVE chain (head, id, depth) AS ("
                      f" SELECT c.id, c.id, 0 FROM {circ} c WHERE c.usr IN {users}{when}"
                      f" AND (c.parent_circ IS NULL OR NOT EXISTS"
                      f" (SELECT 1 FROM {circ} p WHERE p.id = c.parent_circ))"
                      f" UNION ALL SELECT chain.head, n.id, chain.depth + 1"
                      f" FROM chain JOIN {circ} n ON n.parent_circ = chain.id),"
                      f" ends (head, renewals) AS (SELECT head, MAX(depth) FROM chain GROUP BY head)"
                      f" SELECT {{select}} FROM ends"
                      f" JOIN chain tail ON tail.head = ends.head AND tail.depth = ends.renewals"
                      f" JOIN {circ} h ON h.id = ends.head JOIN {circ} t ON t.id = tail.id")
            params = list(ids) + when_params
            if count:
                return chains.format(select="COUNT(*)") + f" WHERE {state}", params
            returned = "" if kind == RecordKind.CURRENT_LOANS else " t.checkin_time,"
            select = (f"h.usr, {card}, h.id, h.xact_start, t.due_date,{returned} ends.renewals, cp.barcode,"
                      f" {title}, cn.label, ou.shortname")
            return (chains.format(select=select)
                    + f" JOIN {t('actor.usr')} u ON u.id = h.usr"
                    + item.format(copy="t.target_copy")
                    + f" LEFT JOIN {t('actor.org_unit')} ou ON ou.id = h.circ_lib"
                    + f" WHERE {state} ORDER BY h.xact_start, h.id"), params
        if kind in (RecordKind.HOLDS, RecordKind.PAST_HOLDS):
            when, when_params = self._range(db, "hr.request_time", scope)
            open_ = "hr.fulfillment_time IS NULL AND hr.cancel_time IS NULL"
            state = open_ if kind == RecordKind.HOLDS else f"NOT ({open_})"
            base = f" FROM {t('action.hold_request')} hr WHERE hr.usr IN {users}{when} AND {state}"
            params = list(ids) + when_params
            if count:
                return "SELECT COUNT(*)" + base, params
            if kind == RecordKind.HOLDS:
                middle = (" CASE WHEN hr.frozen THEN 'suspended' WHEN hr.shelf_time IS NOT NULL THEN"
                          " 'ready for pickup' WHEN hr.capture_time IS NOT NULL THEN 'in transit'"
                          " ELSE 'waiting' END,")
            else:
                middle = (" COALESCE(hr.fulfillment_time, hr.cancel_time), CASE WHEN hr.fulfillment_time IS NOT"
                          " NULL THEN 'fulfilled' WHEN hr.cancel_cause IN (1, 2) THEN 'expired'"
                          " ELSE 'cancelled' END,")
            return (f"SELECT hr.usr, {card}, hr.id, hr.request_time,{middle}"
                    f" COALESCE(trec.title, hrec.title, cp.dummy_title),"
                    f" COALESCE(trec.author, hrec.author, cp.dummy_author), ou.shortname"
                    f" FROM {t('action.hold_request')} hr"
                    f" JOIN {t('actor.usr')} u ON u.id = hr.usr"
                    f" LEFT JOIN {t('reporter.materialized_simple_record')} trec"
                    f" ON hr.hold_type = 'T' AND trec.id = hr.target"
                    f" LEFT JOIN {t('asset.copy')} cp ON hr.hold_type IN ('C', 'R', 'F') AND cp.id = hr.target"
                    f" LEFT JOIN {t('asset.call_number')} cn ON cn.id = CASE WHEN hr.hold_type = 'V'"
                    f" THEN hr.target ELSE cp.call_number END"
                    f" LEFT JOIN {t('reporter.materialized_simple_record')} hrec ON hrec.id = cn.record"
                    f" LEFT JOIN {t('actor.org_unit')} ou ON ou.id = hr.pickup_lib"
                    f" WHERE hr.usr IN {users}{when} AND {state}"
                    f" ORDER BY hr.request_time, hr.id"), params
        if kind == RecordKind.READING_HISTORY:
            when, when_params = self._range(db, "hist.xact_start", scope)
            base = f" FROM {t('action.usr_circ_history')} hist WHERE hist.usr IN {users}{when}"
            params = list(ids) + when_params
            if count:
                return "SELECT COUNT(*)" + base, params
            return (f"SELECT hist.usr, {card}, hist.xact_start, hist.due_date, hist.checkin_time, cp.barcode,"
                    f" {title} FROM {t('action.usr_circ_history')} hist"
                    f" JOIN {t('actor.usr')} u ON u.id = hist.usr"
                    + item.format(copy="hist.target_copy")
                    + f" WHERE hist.usr IN {users}{when} ORDER BY hist.xact_start, hist.id"), params
        raise ConnectorError(f"Evergreen has no records of the kind {kind!r}.")

    @staticmethod
    def _shape(kind: str, columns: list[str], row: tuple) -> dict:
        if kind == RecordKind.PATRON_RECORD:
            (user, card, username, surname, first, dob, street1, street2, city, state, post_code, email, phone,
             branch, category) = row
            place = " ".join(part for part in (state, post_code) if part)
            address = ", ".join(part for part in (street1, street2, city, place) if part) or None
            values = [user, card, username, surname, first, _iso(dob), address, email, phone, branch, category]
        else:
            values = list(row)
            for i, column in enumerate(columns):
                if column in ("checked_out", "due", "returned", "placed", "ended"):
                    values[i] = _iso(values[i])
        values[0] = str(values[0])
        if kind in (RecordKind.CURRENT_LOANS, RecordKind.PAST_LOANS, RecordKind.HOLDS, RecordKind.PAST_HOLDS):
            values[2] = str(values[2])
        return dict(zip(columns, values, strict=True))


def _name_candidates(value: str) -> list[tuple[str, str]]:
    """(family name, first given name) pairs a written name may mean: "Surname, First [Middle]" or
    "First [Middle] Surname" (the surname may have several words: every split is tried)."""
    value = " ".join(value.split())
    if "," in value:
        family, _, given = value.partition(",")
        family, given = family.strip(), given.strip()
        if not family or not given:
            return []
        return [(family, given.split()[0])]
    words = value.split(" ")
    if len(words) < 2:
        return []
    return [(" ".join(words[i:]), words[0]) for i in range(1, len(words))]


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _evergreen_functions(db) -> set[str]:
    """Which of Evergreen's folding functions this database has."""
    return {str(row[0]) for row in db.rows(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'evergreen' "
        "AND p.proname IN ('lowercase', 'unaccent_and_squash')")}

