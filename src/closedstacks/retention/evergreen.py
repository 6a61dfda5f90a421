"""Retention in Evergreen, the way Evergreen itself lets go of what it no longer needs — in short batches, and
never what a legal hold covers.

Evergreen's conventions (``action.purge_circulations()``, ``action.purge_holds()`` and the triggers that age a
deleted row, with the ``action.all_circulation`` / ``all_hold_request`` views they copy from):

- past loans (``action.circulation``) are *aged*: copied to ``action.aged_circulation`` under the same id, the
  user replaced by the demographics the aged table keeps (post code of the mailing, else billing, address; home
  library; profile; birth year) and the copy by its call number, location, owning and circulating library and bib
  record; then deleted. A renewal chain (``parent_circ``) is aged whole, and only when every circulation in it is
  finished (``xact_finish``: checked in and nothing owed — a lost or unpaid loan stays) and the last one finished
  before the cutoff, as the purge does with ``retention_uses_last_finished``. Evergreen's own per-copy
  ``retention_count`` is not applied: the library's policy here is the number of days;
- past holds (``action.hold_request``), fulfilled or cancelled before the cutoff, are aged the same way into
  ``action.aged_hold_request`` (``staff_placed`` when the requestor is not the user);
- reading history (``action.usr_circ_history``) returned before the cutoff is deleted.

A user keeps what they opted in to keep (when the policy respects opt-in): Evergreen's user settings
``history.circ.retention_start`` for circulations and reading history, ``history.hold.retention_start`` for
holds (``actor.usr_setting``; the purge functions read the same).

Batches are ranges of the primary key (``id > after AND id <= to``). A renewal chain is decided in the batch of
its *last* circulation (the one without a renewal; a renewal always has a higher id than what it renewed), so
each chain is decided exactly once, and a chain's earlier circulations, left where their own batches were,
are aged with it. The conditions (closed before the cutoff, the user under no hold for the kind, not opted in)
are in the SQL of one query over the range (plan): it counts what users opted in to keep and finds the rows
due, which ``apply`` then deletes by key (each checked again to be closed) and copies to the aged table — on
PostgreSQL in one statement, elsewhere in two. The chains and rows of users under a hold for the kind are read
and decided one by one here (a hold has dates: a loan's is when the chain began, as the connector extracts it;
a hold's when it was placed; a history row's when the loan began) and named in the batch. ``committed`` asks
the same conditions again. Counts are of rows: a kept or aged chain counts each of its circulations. Table and
column names come from the constants below, never from input; user ids and dates are parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from closedstacks.ils.connectors import versions
from closedstacks.ils.connectors.base import ConnectorError
from closedstacks.ils.connectors.db import Database
from closedstacks.ils.connectors.evergreen import schema
from closedstacks.retention.batches import Batch, covered, day, held_for
from closedstacks.retention.batches import in_list as _in

# Short names used in the SQL below → Evergreen's tables (Database.table spells them per driver).
TABLES = {"circ": "action.circulation", "aged_circ": "action.aged_circulation", "hold": "action.hold_request",
          "aged_hold": "action.aged_hold_request", "history": "action.usr_circ_history", "usr": "actor.usr",
          "address": "actor.usr_address", "setting": "actor.usr_setting", "copy": "asset.copy",
          "cn": "asset.call_number"}

# Each kind's candidate units in a batch's range — a unit is a renewal chain (named by its last circulation) or a
# single row — closed before the cutoff: (unit, n rows, usr, dated, closed, opted: 1 when the user opted in), and
# the rows of each unit (members). ``{where}`` is the range on ``x`` (or all rows, for the privacy audit); the
# parameters are the range's, then the cutoff for each ``%s`` here. Written so that PostgreSQL reads through the
# indexes whatever its estimates (a recursive CTE's are wild): the user's opt-in is read for the chain's last
# circulation, a renewal of it and the earlier circulations one by one by key (scalar subqueries), not joined —
# a join may scan a whole table, or an index from its start, for each batch.
PARENT = "(SELECT p.{column} FROM {{circ}} p WHERE p.id = chain.parent)"
CHAINS = """WITH RECURSIVE chain (unit, id, parent, usr, started, finished, opted) AS (
 SELECT x.id, x.id, x.parent_circ, x.usr, x.xact_start, x.xact_finish, {opted} FROM {circ} x
  WHERE {where} AND x.xact_finish < %s AND (SELECT 1 FROM {circ} k WHERE k.parent_circ = x.id LIMIT 1) IS NULL
 UNION ALL SELECT chain.unit, chain.parent, """ + ", ".join(
    PARENT.format(column=c) for c in ("parent_circ", "usr", "xact_start", "xact_finish")) + """, chain.opted
  FROM chain WHERE chain.parent < chain.id),
units (unit, n, usr, dated, closed, opted) AS (
 SELECT unit, COUNT(*), MIN(usr), MIN(started), MAX(finished), MIN(opted) FROM chain WHERE started IS NOT NULL
  GROUP BY unit HAVING COUNT(finished) = COUNT(*) AND MAX(finished) < %s AND MIN(usr) = MAX(usr)),
members (unit, id) AS (SELECT unit, id FROM chain WHERE started IS NOT NULL)"""
ROWS = """WITH units (unit, n, usr, dated, closed, opted) AS (
 SELECT x.id, 1, x.usr, {dated}, {closed}, {opted} FROM {table} x JOIN {usr} u ON u.id = x.usr
  WHERE {where} AND {closed} < %s),
members (unit, id) AS (SELECT unit, unit FROM units)"""
# Whether the row's user opted in to keeping it, as Evergreen decides. Reading history: the history trigger
# (action.maintain_usr_circ_history) records a user's loans when they have a history.circ.retention_age or a
# history.circ.retention_start setting, whatever its value (the catalogue deletes the setting when the user turns
# it off). Holds: action.purge_holds() keeps an opted-in user's hold (history.hold.retention_start) only if it
# closed since that start and, when they also set history.hold.retention_age, within that age. Circulations:
# action.purge_circulations() ages them whatever the user chose (the choice keeps the reading history instead).
OPTED_ANY = ("CASE WHEN EXISTS (SELECT 1 FROM {setting} s WHERE s.usr = x.usr AND s.name IN ({names})) "
             "THEN 1 ELSE 0 END")
# A setting's JSON text as a date or an interval (NULL when it is not one), per driver.
JSON_TEXT = {"postgresql": "btrim({0}, '\"')", "sqlite": "trim({0}, '\"')"}
AS_START = {"postgresql": "CASE WHEN btrim({0}, '\"') ~ '^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN "
                          "CAST(btrim({0}, '\"') AS TIMESTAMP WITH TIME ZONE) END",
            "sqlite": "CASE WHEN trim({0}, '\"') GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN "
                      "trim({0}, '\"') END"}
INTERVAL = ("'^ *[0-9]+ *(year|mon|month|week|day|hour|min|minute|sec|second)s?( +[0-9]+ *(year|mon|month|week|day|"
            "hour|min|minute|sec|second)s?)* *$'")
OPTED_HOLD = {
    "postgresql": "CASE WHEN EXISTS (SELECT 1 FROM {setting} s WHERE s.usr = x.usr AND s.name = "
                  "'history.hold.retention_start' AND {closed} >= COALESCE(" + AS_START["postgresql"].format("s.value")
                  + ", '-infinity') AND NOT EXISTS (SELECT 1 FROM {setting} g WHERE g.usr = x.usr AND g.name = "
                  "'history.hold.retention_age' AND {closed} < CURRENT_TIMESTAMP - CASE WHEN btrim(g.value, '\"') ~* "
                  + INTERVAL + " THEN CAST(btrim(g.value, '\"') AS INTERVAL) END)) THEN 1 ELSE 0 END",
    # SQLite (test and demo databases): the start only; an age needs PostgreSQL's intervals.
    "sqlite": "CASE WHEN EXISTS (SELECT 1 FROM {setting} s WHERE s.usr = x.usr AND s.name = "
              "'history.hold.retention_start' AND {closed} >= COALESCE(" + AS_START["sqlite"].format("s.value")
              + ", '')) THEN 1 ELSE 0 END",
}

# Where the aged copy's columns come from (the rest are copied from the live row, ``x``), after Evergreen's
# action.all_circulation and action.all_hold_request views.
USER = {"usr_post_code": "COALESCE(a.post_code, b.post_code)", "usr_home_ou": "u.home_ou",
        "usr_profile": "u.profile", "usr_birth_year": "{birth_year}"}
USER_JOINS = (" JOIN {usr} u ON u.id = x.usr LEFT JOIN {address} a ON a.id = u.mailing_address"
              " LEFT JOIN {address} b ON b.id = u.billing_address")
BIRTH_YEAR = {"postgresql": "CAST(EXTRACT(YEAR FROM u.dob) AS INTEGER)",
              "sqlite": "CAST(substr(u.dob, 1, 4) AS INTEGER)"}
NOTIFY = "CASE WHEN x.{0} IS NULL OR x.{0} = '' THEN FALSE ELSE TRUE END"


@dataclass(frozen=True)
class Spec:
    table: str  # the live table (a key of TABLES)
    closed: str  # when a row closed (NULL: still open), on the live row ``x``
    dated: str  # the date a legal hold's dates are compared with, on ``x`` (as the connector extracts)
    units: str  # the units and members SQL above
    settings: tuple[str, ...]  # the user settings by which a user opts in to keeping these (none: the choice
    # does not keep them)
    aged: str = ""  # where a row is aged to (a key of TABLES); none: deleted
    derived: tuple[tuple[str, str], ...] = ()  # aged columns not copied as they are: (column, expression)
    joins: str = ""  # what ``derived`` reads, joined to the live row ``x``


SPECS = {
    "past_loans": Spec("circ", "x.xact_finish", "x.xact_start", CHAINS, (),
                       aged="aged_circ", derived=(
        *USER.items(), ("copy_call_number", "cp.call_number"), ("copy_owning_lib", "cn.owning_lib"),
        ("copy_circ_lib", "cp.circ_lib"), ("copy_bib_record", "cn.record")),
        joins=" JOIN {copy} cp ON cp.id = x.target_copy JOIN {cn} cn ON cn.id = cp.call_number" + USER_JOINS),
    "past_holds": Spec("hold", "COALESCE(x.fulfillment_time, x.cancel_time)", "x.request_time", ROWS,
                       ("history.hold.retention_start", "history.hold.retention_age"), aged="aged_hold", derived=(
        *USER.items(), ("staff_placed", "x.requestor <> x.usr"), ("phone_notify", NOTIFY.format("phone_notify")),
        ("sms_notify", NOTIFY.format("sms_notify")),
        # Evergreen's own aging leaves these empty: who cancelled may be the user themselves.
        ("canceled_by", "NULL"), ("canceling_ws", "NULL"), ("hopeless_date", "NULL")), joins=USER_JOINS),
    "reading_history": Spec("history", "x.checkin_time", "x.xact_start", ROWS,
                            ("history.circ.retention_age", "history.circ.retention_start")),
}
STEPS = {kind: kind for kind in SPECS}  # each step of a run is one kind, following its own policy
# Evergreen's own triggers that age a row when it is deleted (schema, table, function), by kind.
AGING_TRIGGERS = {"past_loans": ("action", "circulation", "age_circ_on_delete"),
                  "past_holds": ("action", "hold_request", "age_hold_on_delete")}


@dataclass(frozen=True)
class Context:
    """What a run needs to know of this Evergreen: the kinds its own triggers age when a row is deleted (a real
    Evergreen; the generated one has none, and retention copies the rows itself)."""

    aged_by_trigger: frozenset = frozenset()
    planned: dict = field(default_factory=dict)  # the last plan's rows due (by ``_planned``), for its ``apply``


def _names(db: Database) -> dict[str, str]:
    return {short: db.table(name) for short, name in TABLES.items()} | {"birth_year": BIRTH_YEAR[db.driver]}


def context(db: Database) -> Context:
    """Check that the tables retention writes or reads besides the connector's are there (else say what is
    missing), refuse a release Closed Stacks does not support, and find Evergreen's own aging triggers."""
    versions.require_supported("evergreen", db)
    for name, why in (("action.aged_circulation", "past loans are aged into it"),
                      ("action.aged_hold_request", "past holds are aged into it"),
                      ("actor.usr_setting", "it says which users chose to keep their history")):
        if db.columns(db.table(name)) is None:
            raise ConnectorError(f"Evergreen's {name} table is missing ({why}): retention cannot run until it is "
                                 "there. Run Test connection, and check the connection points at Evergreen.")
    if db.driver != "postgresql":
        return Context()
    found = set(db.rows("SELECT n.nspname, c.relname, p.proname FROM pg_trigger t JOIN pg_class c ON c.oid = "
                        "t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid "
                        "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'"))
    return Context(frozenset(kind for kind, trigger in AGING_TRIGGERS.items() if trigger in found))


def extent(db: Database, kind: str) -> int:
    """The kind's highest key now (for a progress bar)."""
    return int(db.one(f"SELECT MAX(id) FROM {db.table(TABLES[SPECS[kind].table])}")[0] or 0)


def _held(kind: str, held) -> list[int]:
    """The library system ids of the users under a hold for ``kind`` (their rows are decided one by one)."""
    return held_for(kind, held)


def _plain(db: Database) -> None:
    """No JIT compilation for this session's queries (PostgreSQL). A recursive query's cost is estimated far above
    what it is (the estimate multiplies the first step's rows per level), past ``jit_above_cost``: compiling each
    batch's query would take longer than running it. Set again before each batch's first query (a rolled-back
    transaction undoes it)."""
    if db.driver == "postgresql":
        db.execute("SET jit = off")


def _opted(db: Database, kind: str, names: dict) -> str:
    """SQL (on the row ``x``) that is 1 when Evergreen counts the row's user as opted in to keeping it."""
    spec = SPECS[kind]
    if not spec.settings:
        return "0"
    if kind == "past_holds":
        return OPTED_HOLD[db.driver].format(setting=names["setting"], closed=spec.closed)
    return OPTED_ANY.format(setting=names["setting"], names=", ".join(f"'{n}'" for n in spec.settings))


def _units(db: Database, kind: str, policy: dict, after: int | None = None, to: int | None = None) -> tuple[str, list]:
    """The WITH clause naming ``units`` and ``members`` for the key range (after, to] (no range: the whole table);
    ``opted`` is 0 throughout when the policy does not respect the users' opt-in."""
    spec, names = SPECS[kind], _names(db)
    where, params = ("x.id > %s AND x.id <= %s", [int(after), int(to)]) if after is not None else ("1 = 1", [])
    opted = _opted(db, kind, names) if policy["respect_opt_in"] else "0"
    sql = spec.units.format(where=where, table=names[spec.table], closed=spec.closed, dated=spec.dated,
                            opted=opted, **names)
    return sql, [*params, *[db.date_param(day(policy["cutoff"]))] * spec.units.count("%s")]


def _free(users: list[int]) -> tuple[str, list]:
    """SQL true for the units the set-based statements take: the user under no hold for the kind, and not opted in."""
    return "e.opted = 0" + ((" AND e.usr NOT IN " + _in(users)) if users else ""), list(users)


def plan(db: Database, kind: str, after: int, size: int, policy: dict, held, ctx: Context | None = None, *,
         exact: bool = True) -> Batch | None:
    """The next batch after ``after``: its last key and counts, and the rows of held users no hold covers.

    The counts are always exact (``exact`` is not needed). One query (the conditions in SQL) counts the rows
    users under no hold opted in to keep, lists those of the others that are due, and the held users' rows, to be
    decided here; the rows due are kept in ``ctx`` for ``apply`` (so the query runs once a batch)."""
    _plain(db)
    table = db.table(TABLES[SPECS[kind].table])
    to, examined = db.one(f"SELECT MAX(b.id), COUNT(*) FROM (SELECT id FROM {table} WHERE id > %s ORDER BY id "
                          "LIMIT %s) b", (int(after), int(size)))
    if to is None:
        return None
    batch = Batch(after=int(after), to=int(to), examined=int(examined))
    units, params = _units(db, kind, policy, batch.after, batch.to)
    users = _held(kind, held)
    is_held = ("e.usr IN " + _in(users)) if users else "1 = 0"
    due: list[int] = []
    found: dict[int, tuple] = {}
    # One row counting what users under no hold opted in to keep (its unit NULL), then the rows due and the held
    # users' rows, one each.
    for unit, user, dated, opted, member, of_held in db.rows(
            f"{units} SELECT NULL, NULL, NULL, NULL, SUM(e.n), 0 FROM units e WHERE e.opted = 1 AND NOT ({is_held}) "
            f"UNION ALL SELECT e.unit, e.usr, e.dated, e.opted, m.id, CASE WHEN {is_held} THEN 1 ELSE 0 END "
            f"FROM units e JOIN members m ON m.unit = e.unit WHERE e.opted = 0 OR {is_held}",
            [*params, *users, *users, *users]):
        if unit is None:
            batch.kept_opt_in = int(member or 0)
        elif of_held:
            found.setdefault(int(unit), (int(user), day(dated), bool(opted), []))[3].append(int(member))
        else:
            due.append(int(member))
    batch.due = len(due)
    batch.eligible = batch.kept_opt_in + batch.due
    _decide_held(kind, batch, found, held)
    if ctx is not None:
        ctx.planned.clear()
        ctx.planned[_planned(kind, batch, policy, users)] = due
    return batch


def _planned(kind: str, batch: Batch, policy: dict, users: list[int]) -> tuple:
    """What a plan's rows due depend on: ``apply`` uses them only for the very batch they were planned for."""
    return kind, batch.after, batch.to, tuple(batch.ids), policy["cutoff"], policy["respect_opt_in"], tuple(users)


def _decide_held(kind: str, batch: Batch, found: dict[int, tuple], held) -> None:
    """The batch's units of users under a hold, one by one: kept if a hold covers them, else like any other."""
    for user, dated, opted, members in found.values():
        if covered(kind, user, dated, held):
            batch.kept_for_holds += len(members)
        elif opted:
            batch.kept_opt_in += len(members)
        else:
            batch.ids.extend(sorted(members))


def _due(db: Database, kind: str, batch: Batch, policy: dict, held) -> tuple[str, list]:
    """A WITH clause that ends naming ``due``: the ids of the rows the batch ages or deletes (the units of users
    under no hold who did not opt in, and those named in ``batch.ids``)."""
    units, params = _units(db, kind, policy, batch.after, batch.to)
    free, free_params = _free(_held(kind, held))
    if batch.ids:
        free, free_params = f"({free}) OR e.unit IN {_in(batch.ids)}", [*free_params, *batch.ids]
    return (f"{units}, due (id) AS (SELECT m.id FROM units e JOIN members m ON m.unit = e.unit WHERE {free})",
            [*params, *free_params])


def _keys(db: Database, column: str, ids: list[int]) -> tuple[str, object]:
    """``column`` among ``ids``, as one parameter (an array; JSON on SQLite), however many ids there are."""
    if db.driver == "postgresql":
        return f"{column} = ANY(%s)", ids
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(ids)


def apply(db: Database, kind: str, batch: Batch, policy: dict, held, ctx: Context | None = None) -> int:
    """Age (or delete) the batch's rows in the caller's transaction; how many rows left the live table.

    The rows due are the plan's (or found again, the conditions in SQL, when the plan is not at hand). They are
    deleted by key, each checked again to be closed, and on PostgreSQL what was deleted is copied to the aged
    table in the same statement; elsewhere they are copied first; where Evergreen's own trigger ages what is
    deleted, they are only deleted."""
    spec = SPECS[kind]
    if not batch.unlinking:
        return 0
    ids = _rows_due(db, kind, batch, policy, held, ctx)
    if not ids:
        return 0
    table = db.table(TABLES[spec.table])
    keys, param = _keys(db, "x.id", ids)
    closed = [param, db.date_param(day(policy["cutoff"]))]
    delete = f"DELETE FROM {table} AS x WHERE {keys} AND {spec.closed} < %s"
    if not spec.aged:
        return db.execute(delete, closed)
    if ctx is not None and kind in ctx.aged_by_trigger:  # Evergreen's trigger ages each row (and its bills)
        db.execute(delete, closed)
        gone = len(ids) - int(db.one(f"SELECT COUNT(*) FROM {table} x WHERE {keys}", [param])[0])
        return _checked(kind, gone, db.one(f"SELECT COUNT(*) FROM {db.table(TABLES[spec.aged])} x WHERE {keys}",
                                           [param])[0])
    if kind == "past_loans":
        _unlink_notices(db, ids)
    if db.driver == "postgresql":
        return _checked(kind, *db.one(f"WITH gone AS ({delete} RETURNING x.*), aged AS ("
                                      f"{aging(db, kind, '1 = 1', source='gone')} RETURNING 1) SELECT (SELECT "
                                      "COUNT(*) FROM gone), (SELECT COUNT(*) FROM aged)", closed))
    aged = db.execute(aging(db, kind, keys), [param])
    return _checked(kind, db.execute(delete, closed), aged)


def _unlink_notices(db: Database, ids: list[int]) -> None:
    """As Evergreen's aging trigger does (3.8 and later), where retention ages the circulations itself: the notices
    about them (``action_trigger.event`` of a circulation hook) no longer name the user."""
    event, definition, hook = (db.table(f"action_trigger.{name}") for name in ("event", "event_definition", "hook"))
    if "context_user" not in {c.lower() for c in (db.columns(event) or ())} or db.columns(hook) is None:
        return
    keys, param = _keys(db, "e.target", ids)
    db.execute(f"UPDATE {event} SET context_user = NULL WHERE id IN (SELECT e.id FROM {event} e JOIN {definition} d "
               f"ON d.id = e.event_def JOIN {hook} h ON h.key = d.hook WHERE {keys} AND h.core_type = 'circ' AND "
               "e.context_user IS NOT NULL)", [param])


def _rows_due(db: Database, kind: str, batch: Batch, policy: dict, held, ctx: Context | None) -> list[int]:
    """The ids of the rows the batch ages or deletes: as planned, or found again."""
    planned = ctx.planned.pop(_planned(kind, batch, policy, _held(kind, held)), None) if ctx is not None else None
    if planned is not None:
        return [*planned, *batch.ids]
    due, params = _due(db, kind, batch, policy, held)
    return [int(row[0]) for row in db.rows(f"{due} SELECT id FROM due", params)]


def _checked(kind: str, gone, aged) -> int:
    """How many rows left the live table, once sure each of them was aged (else the transaction must not commit)."""
    if int(aged) != int(gone):
        raise ConnectorError(f"Evergreen's {TABLES[SPECS[kind].table]} rows could not all be aged ({aged} aged, "
                             f"{gone} removed; a user, copy or call number missing?): nothing was changed.")
    return int(gone)


def aging(db: Database, kind: str, where: str, *, source: str = "") -> str:
    """INSERT … SELECT copying the rows of the live table (or ``source``) that ``where`` (SQL on the row ``x``)
    names into the aged table, as Evergreen's aging trigger does (the benchmark's single statement uses it too)."""
    spec, names = SPECS[kind], _names(db)
    derived = dict(spec.derived)
    live = set(schema.column_names(TABLES[spec.table]))
    present = {c.lower() for c in (db.columns(names[spec.aged]) or ())}  # this Evergreen's own aged columns
    columns = [c for c in schema.column_names(TABLES[spec.aged])
               if (c in derived or c in live) and (not present or c in present)]
    select = ", ".join(derived[c].format(**names) if c in derived else f"x.{c}" for c in columns)
    return (f"INSERT INTO {names[spec.aged]} ({', '.join(columns)}) SELECT {select} FROM "
            f"{source or names[spec.table]} x" + spec.joins.format(**names) + f" WHERE {where}")


def committed(db: Database, kind: str, batch: Batch, policy: dict, held, ctx=None) -> bool:
    """Whether an applied batch's change is in the library system: none of its rows is left to age or delete."""
    if not batch.unlinking:
        return True
    _plain(db)
    due, params = _due(db, kind, batch, policy, held)
    return int(db.one(f"{due} SELECT COUNT(*) FROM due", params)[0]) == 0


def remaining(db: Database, kind: str, cutoff, *, respect_opt_in: bool, left_out: list[int]) -> tuple[int, object]:
    """For the privacy audit: the rows a run would age or delete now (users in ``left_out`` left out), and the
    oldest of them by when it closed. One statement over the whole table: the audit reads, it changes nothing."""
    _plain(db)
    units, params = _units(db, kind, {"cutoff": cutoff, "respect_opt_in": respect_opt_in})
    free, free_params = _free(list(left_out))
    count, oldest = db.one(f"{units} SELECT SUM(e.n), MIN(e.closed) FROM units e WHERE {free}", [*params, *free_params])
    return int(count or 0), oldest


def opted_in_users(db: Database, kinds: list[str], *, left_out: list[int]) -> tuple[int, str | None]:
    """For the privacy audit: how many users opted in to keeping any of ``kinds``, and since when (the earliest)."""
    names = sorted({name for kind in kinds for name in SPECS[kind].settings})
    if not names:
        return 0, None
    others = (" AND s.usr NOT IN " + _in(left_out)) if left_out else ""
    start = JSON_TEXT[db.driver].format("s.value")
    count, since = db.one(f"SELECT COUNT(DISTINCT s.usr), MIN(CASE WHEN s.name LIKE %s THEN {start} END) FROM "
                          f"{db.table(TABLES['setting'])} s WHERE s.name IN {_in(names)}" + others,
                          ["%.retention_start", *names, *left_out])
    return int(count or 0), (str(since)[:10] if since else None)


def census(db: Database, kind: str, buckets: list, ctx=None) -> dict[str, int]:
    """Rows of ``kind`` still linked to a user (closed, in the live table), by age bucket (``buckets``: each name
    and the earliest closing day it takes, newest first; None: any day)."""
    spec, whens, params = SPECS[kind], [], []
    for n, (_name, since) in enumerate(buckets):
        if since is None:
            break
        whens.append(f"WHEN {spec.closed} >= %s THEN {n}")
        params.append(db.date_param(since))
    bucket = f"CASE {' '.join(whens)} ELSE {len(whens)} END" if whens else "0"
    found = {int(n): int(count) for n, count in db.rows(
        f"SELECT {bucket}, COUNT(*) FROM {db.table(TABLES[spec.table])} x WHERE {spec.closed} IS NOT NULL "
        "GROUP BY 1", params)}
    return {name: found.get(n, 0) for n, (name, _since) in enumerate(buckets)}
