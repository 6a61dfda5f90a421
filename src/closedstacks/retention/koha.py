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
- staff are the borrowers of a category whose ``category_type`` is ``S`` (Koha's own mark, whatever the
  category's code): a renewal made by staff at the desk names the staff member, not a patron, and is never
  re-pointed;
- an unlink changes only the link: Koha's ``timestamp`` columns update themselves (``ON UPDATE
  CURRENT_TIMESTAMP``), so every such column of the table is set to its own value in the same statement, and
  the day a fine was paid or a hold ended stays what it was;
- fines (``accountlines``, closed when paid: ``amountoutstanding`` 0, by
  ``timestamp``): ``borrowernumber`` set to the placeholder, so the amounts
  stay in the accounts without the user; fines still owed are kept unless
  the policy says otherwise;
- statistics (``statistics``, by ``datetime``): ``borrowernumber`` set to the
  placeholder too. Koha gives the table no primary key, so its batches are
  ranges of ``borrowernumber`` (indexed) instead, and the rows of a user
  under any legal hold are all kept;
- search history (``search_history``, by ``time``) is deleted, as
  ``cleanup_database.pl --searchhistory`` does;
- Koha's log (``action_logs``) of circulation and of changes to patrons,
  whose ``object`` is the patron: deleted after the loans' period (the
  loans' policy), as ``cleanup_database.pl --logs`` does.

A user whose ``privacy`` is 0 chose to keep their history. Each batch is a
key range of about ``size`` rows; the unlink conditions (closed before the
cutoff, still linked, not opted in, the user under no hold) are in the SQL
of a few set-based statements over that range, in one small transaction —
never one statement over the whole table. Rows of users under a hold are
read and decided one by one (a hold has dates) and unlinked by key. Table
and column names come from the constants below, never from input.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from closedstacks.ils.connectors import versions
from closedstacks.ils.connectors.base import ConnectorError
from closedstacks.ils.connectors.db import Database
from closedstacks.ils.connectors.koha.connector import preference
from closedstacks.retention.batches import Batch, covered, day, held_for
from closedstacks.retention.batches import in_list as _in


@dataclass(frozen=True)
class Spec:
    table: str
    key: str  # what batches are ranges of: the primary key, or (statistics) the user
    user: str
    closed: str  # the column that says when the record closed
    dated: str  # the column a legal hold's dates are compared with (as the connector extracts)
    delete: bool = False  # unlinking deletes the row (Koha's convention for it) rather than anonymizing it
    also: str = ""  # a further condition for a row to be unlinked ({a}: the table's alias; %s: see also_params)
    needs: tuple = ()  # the further columns ``also`` reads
    joined: str = ""  # MariaDB's form of ``also``: a JOIN clause ({a}: the alias) …
    joined_also: str = ""  # … and its condition (``p``: the row's user in borrowers; %s: the placeholder)
    owed: str = ""  # fines: the amount still owed (kept while owed, if the policy says so)
    also_params: tuple = ()  # what each %s of ``also`` stands for: "anonymous" (the default) or "cutoff"
    to_null: bool = False  # unlinking sets the user to NULL (Koha's own anonymous form of the row), not the placeholder
    never_keep: bool = False  # a user whose privacy is 2 ("never") keeps none of it, whatever the cutoff

    @property
    def by_key(self) -> bool:
        """Whether single rows can be named (by primary key); if not, a held user's rows are all kept."""
        return self.key != self.user


SPECS = {
    "past_loans": Spec("old_issues", "issue_id", "borrowernumber", "returndate", "issuedate", never_keep=True),
    # Renewals of a loan returned before the cutoff that name a patron: the loan's own patron (who may be staff
    # borrowing for themselves), or anyone not in a staff category (a patron renewing online). A staff member's
    # renewal of someone else's loan, at the desk, names staff, not a patron, and is never re-pointed. A run takes
    # them before the loans: once a loan is unlinked, it no longer says whose renewals were the patron's own.
    "renewals": Spec("checkout_renewals", "renewal_id", "renewer_id", "timestamp", "timestamp",
                     also="EXISTS (SELECT 1 FROM old_issues o WHERE o.issue_id = {a}.checkout_id AND o.returndate < %s "
                          "AND (o.borrowernumber = {a}.renewer_id OR NOT EXISTS (SELECT 1 FROM borrowers s JOIN "
                          "categories c ON c.categorycode = s.categorycode WHERE s.borrowernumber = {a}.renewer_id AND "
                          "c.category_type = 'S')))",
                     needs=("checkout_id",),
                     joined=" JOIN old_issues o ON o.issue_id = {a}.checkout_id LEFT JOIN categories c ON "
                            "c.categorycode = p.categorycode",
                     joined_also="o.returndate < %s AND (o.borrowernumber = {a}.renewer_id OR c.category_type IS NULL "
                                 "OR c.category_type <> 'S')",
                     also_params=("cutoff",)),
    "last_borrowers": Spec("items_last_borrower", "id", "borrowernumber", "created_on", "created_on", delete=True),
    # Fines paid (or, if the policy says so, any): to the placeholder, as loans; the amounts stay for the accounts.
    "fines": Spec("accountlines", "accountlines_id", "borrowernumber", "timestamp", "date", owed="amountoutstanding",
                  needs=("amountoutstanding",)),
    "past_holds": Spec("old_reserves", "reserve_id", "borrowernumber", "timestamp", "reservedate", never_keep=True),
    "statistics": Spec("statistics", "borrowernumber", "borrowernumber", "datetime", "datetime"),
    "search_history": Spec("search_history", "id", "userid", "time", "time", delete=True),
    # Koha's own log of circulation, of changes to patrons and of their fines names the patron as its object:
    # deleted after the loans' period, as ``cleanup_database.pl --logs`` does (other modules' objects are holds,
    # items or records, not users: left to Koha's own cleanup).
    "action_logs": Spec("action_logs", "action_id", "object", "timestamp", "timestamp", delete=True,
                        also="{a}.module IN ('CIRCULATION', 'MEMBERS', 'FINES')", needs=("module",)),
    # Notices queued for the user (what is overdue, which hold is waiting: titles in their text): deleted after the
    # notices' period, as ``cleanup_database.pl --mail`` does.
    "notices": Spec("message_queue", "message_id", "borrowernumber", "time_queued", "time_queued", delete=True),
    # Links the user followed from the catalogue (TrackClicks): the user set to NULL after the search history's
    # period, the form Koha itself writes when TrackClicks is "anonymous".
    "link_clicks": Spec("linktracker", "id", "borrowernumber", "timeclicked", "timeclicked", to_null=True),
}
# Each step of a run and the policy it follows, in the order a run takes them (renewals before their loans:
# a renewal is the patron's own when its renewer is the loan's borrower, which the loan no longer says after).
STEPS = {"renewals": "past_loans", "past_loans": "past_loans", "last_borrowers": "past_loans",
         "past_holds": "past_holds", "fines": "fines", "statistics": "statistics",
         "search_history": "search_history", "action_logs": "past_loans", "notices": "notices",
         "link_clicks": "search_history"}


def anonymous_patron(db: Database) -> int:
    """The ``AnonymousPatron`` every unlinked row is given (it must name an existing borrower)."""
    value = preference(db, "AnonymousPatron")
    if not value.isdigit() or db.one("SELECT borrowernumber FROM borrowers WHERE borrowernumber = %s",
                                     (int(value),)) is None:
        raise ConnectorError("Koha's AnonymousPatron preference does not name an existing borrower: set it in "
                             "Koha (Administration › System preferences) before retention can unlink anything.")
    return int(value)


@dataclass
class Context:
    """What a run's batches share: the placeholder, the columns that update themselves, and each step's rows of
    held users (read once per step)."""

    anonymous: int
    held_rows: dict = field(default_factory=dict)  # step -> (the holds read for, [(key, user, dated, privacy)], keys)
    on_update: dict = field(default_factory=dict)  # table -> columns with ON UPDATE CURRENT_TIMESTAMP


def context(db: Database) -> Context:
    versions.require_supported("koha", db)  # an unsupported release is refused before anything changes
    return Context(anonymous_patron(db), on_update=self_updating(db))


def self_updating(db: Database) -> dict[str, tuple[str, ...]]:
    """The columns of the tables retention changes that MariaDB sets to the current time whenever any other column
    of the row changes (``ON UPDATE current_timestamp()``), read from the server's own catalogue."""
    if db.driver != "mysql":
        return {}
    tables = sorted({spec.table for spec in SPECS.values() if not spec.delete})
    found: dict[str, list[str]] = {}
    for table, column in db.rows(
            "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
            "LOWER(EXTRA) LIKE %s AND TABLE_NAME IN " + _in(tables) + " ORDER BY ORDINAL_POSITION",
            ["%on update%", *tables]):
        found.setdefault(str(table), []).append(str(column))
    return {table: tuple(columns) for table, columns in found.items()}


def _keep(ctx: Context, table: str, alias: str | None) -> str:
    """``, col = col`` for each self-updating column: set to its own value, MariaDB leaves it as it was."""
    prefix = f"{alias}." if alias else ""
    return "".join(f", {prefix}`{c}` = {prefix}`{c}`" for c in ctx.on_update.get(table, ()))


def _held(kind: str, held) -> list[int]:
    spec = SPECS[kind]
    # Statistics cannot name single rows: any hold keeps all of that user's rows.
    return held_for(STEPS[kind] if spec.by_key else None, held)


def _range(kind: str, alias: str, batch: Batch) -> tuple[str, list]:
    key = SPECS[kind].key
    return f"{alias}.{key} > %s AND {alias}.{key} <= %s", [batch.after, batch.to]


def _linked(db: Database, kind: str, alias: str, policy: dict, anonymous: int, *,
            joined: bool = False) -> tuple[str, list]:
    """Still linked to a user, closed before the cutoff (and the step's own condition, in its joined form if
    ``joined``)."""
    spec = SPECS[kind]
    closed = f"{alias}.{spec.closed} < %s"
    if spec.never_keep:  # Koha's "never": anonymized at check-in, so none of it is kept whatever its age
        closed = f"({closed} OR " + ("p.privacy = 2)" if joined else
                                     f"EXISTS (SELECT 1 FROM borrowers n WHERE n.borrowernumber = {alias}.{spec.user} "
                                     f"AND n.privacy = 2))")
    sql = f"{alias}.{spec.user} IS NOT NULL AND {alias}.{spec.user} <> %s AND {closed}"
    params = [anonymous, db.date_param(day(policy["cutoff"]))]
    also = spec.joined_also if joined else spec.also
    if also:
        sql += " AND " + also.format(a=alias)
        values = {"anonymous": anonymous, "cutoff": params[1]}
        params += [values[name] for name in (spec.also_params or ("anonymous",) * also.count("%s"))]
    if spec.owed and policy.get("keep_outstanding", True):
        sql += f" AND ({alias}.{spec.owed} = 0 OR {alias}.{spec.owed} IS NULL)"
    return sql, params


def _opted_in(alias: str, kind: str) -> str:
    return f"EXISTS (SELECT 1 FROM borrowers p WHERE p.borrowernumber = {alias}.{SPECS[kind].user} AND p.privacy = 0)"


def _due(db: Database, kind: str, alias: str, batch: Batch, policy: dict, held, anonymous: int, *,
         joined: bool = False) -> tuple[str, list]:
    """The rows of the batch that are to be unlinked: the set-based ones, and those named in ``batch.ids``."""
    spec = SPECS[kind]
    span, spanned = _range(kind, alias, batch)
    sql, params = _linked(db, kind, alias, policy, anonymous, joined=joined)
    rest, extra = "", []
    users = _held(kind, held)
    if users:
        rest += f" AND {alias}.{spec.user} NOT IN " + _in(users)
        extra += users
    if policy["respect_opt_in"]:
        rest += " AND NOT " + _opted_in(alias, kind)
    if batch.ids:
        return f"{span} AND {sql} AND (({rest[5:] or '1 = 1'}) OR {alias}.{spec.key} IN {_in(batch.ids)})", \
            [*spanned, *params, *extra, *batch.ids]
    return f"{span} AND {sql}{rest}", [*spanned, *params, *extra]


def plan(db: Database, kind: str, after: int, size: int, policy: dict, held, ctx: Context, *,
         exact: bool = False) -> Batch | None:
    """The next batch. A real run reads only its key range here: what it unlinks, it learns from the change itself,
    and it does not count the rows the users' own choice keeps (that would read every user's choice, batch after
    batch); ``exact`` (a dry run, which changes nothing) counts them."""
    spec, anonymous = SPECS[kind], ctx.anonymous
    users = _held(kind, held)
    if spec.by_key:  # the next ``size`` rows by primary key
        bounds = (f"SELECT {{}} FROM (SELECT {spec.key}, {spec.user}, {spec.closed}"
                  + "".join(f", {c}" for c in spec.needs) + f" FROM {spec.table} WHERE {spec.key} > %s ORDER BY "
                  f"{spec.key} LIMIT %s) x", [int(after), int(size)])
    else:  # keyed on the user (statistics): whole users, as many as hold about ``size`` rows; the placeholder's
        # own rows are stepped over, never scanned or locked
        to = db.one(f"SELECT MAX(b.k) FROM (SELECT {spec.key} AS k FROM {spec.table} WHERE {spec.key} > %s AND "
                    f"{spec.key} <> %s ORDER BY {spec.key} LIMIT %s) b", [int(after), anonymous, int(size)])[0]
        if to is None:
            return None
        bounds = (f"SELECT {{}} FROM {spec.table} x WHERE x.{spec.key} > %s AND x.{spec.key} <= %s AND "
                  f"x.{spec.key} <> %s", [int(after), to, anonymous])
    if exact:
        due, params = _linked(db, kind, "x", policy, anonymous)
        not_held = (f"x.{spec.user} NOT IN " + _in(users)) if users else "1 = 1"
        opted = _opted_in("x", kind) if policy["respect_opt_in"] else "1 = 0"
        examined, to, eligible, opt_in = db.one(bounds[0].format(
            f"COUNT(*), MAX(x.{spec.key}), SUM(CASE WHEN {due} AND {not_held} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {due} AND {not_held} AND {opted} THEN 1 ELSE 0 END)"),
            [*params, *users, *params, *users, *bounds[1]])
        linked = None
    else:  # and how many rows of it are still linked (a resumed run counts what the batch unlinked from it)
        examined, to, linked = db.one(bounds[0].format(
            f"COUNT(*), MAX(x.{spec.key}), SUM(CASE WHEN {_still_linked('x', kind)} THEN 1 ELSE 0 END)"),
            [anonymous, *bounds[1]])
        eligible, opt_in = 0, 0
    if not examined:
        return None
    opt_in = int(opt_in or 0)
    batch = Batch(after=int(after), to=int(to), examined=int(examined), eligible=int(eligible or 0),
                  kept_opt_in=opt_in, due=int(eligible or 0) - opt_in if exact else None, counted=exact,
                  linked=None if linked is None else int(linked))
    if users:
        _decide_held(db, kind, batch, policy, held, users, ctx)
    return batch


def _held_rows(db: Database, kind: str, after: int, policy: dict, held, users: list[int],
               ctx: Context) -> tuple[list, list]:
    """The step's rows of users under a hold, linked and before the cutoff, in key order: read once per step (and
    again when the holds change), through the user index, rather than once per batch."""
    cached = ctx.held_rows.get(kind)
    if cached is None or cached[0] is not held:
        spec = SPECS[kind]
        linked, params = _linked(db, kind, "x", policy, ctx.anonymous)
        rows = sorted((int(r[0]), r[1], r[2], r[3]) for r in db.rows(
            f"SELECT x.{spec.key}, x.{spec.user}, x.{spec.dated}, p.privacy FROM {spec.table} x LEFT JOIN "
            f"borrowers p ON p.borrowernumber = x.{spec.user} WHERE x.{spec.key} > %s AND {linked} AND "
            f"x.{spec.user} IN {_in(users)}", [int(after), *params, *users]))
        ctx.held_rows[kind] = cached = (held, rows, [row[0] for row in rows])
    return cached[1], cached[2]


def _decide_held(db: Database, kind: str, batch: Batch, policy: dict, held, users: list[int], ctx: Context) -> None:
    """The batch's rows of users under a hold, one by one: kept if a hold covers them, else like any other. (A row
    read earlier that changed since is safe: the unlinking checks every condition again.)"""
    spec = SPECS[kind]
    rows, keys = _held_rows(db, kind, batch.after, policy, held, users, ctx)
    for pk, user, dated, privacy in rows[bisect_right(keys, batch.after):bisect_right(keys, batch.to)]:
        if not spec.by_key or covered(STEPS[kind], int(user), day(dated), held):
            batch.kept_for_holds += 1
        elif policy["respect_opt_in"] and privacy is not None and int(privacy) == 0:
            batch.kept_opt_in += 1 if batch.counted else 0
        else:
            batch.ids.append(int(pk))


def apply(db: Database, kind: str, batch: Batch, policy: dict, held, ctx: Context) -> int:
    """Unlink the batch's rows in the caller's transaction; how many records were unlinked."""
    spec, anonymous = SPECS[kind], ctx.anonymous
    target = None if spec.to_null else anonymous
    if db.driver == "mysql" and not spec.delete:
        # MariaDB joins the users (and the step's own join) once per batch faster than it runs the same
        # conditions as subqueries once per row.
        due, params = _due(db, kind, "x", batch, {**policy, "respect_opt_in": False}, held, anonymous, joined=True)
        choice = ""
        if policy["respect_opt_in"]:
            choice = "(p.privacy IS NULL OR p.privacy <> 0" + (
                f" OR x.{spec.key} IN {_in(batch.ids)}" if batch.ids else "") + ") AND "
        return db.execute(f"UPDATE {spec.table} x LEFT JOIN borrowers p ON p.borrowernumber = x.{spec.user}"
                          f"{spec.joined.format(a='x')} SET x.{spec.user} = %s{_keep(ctx, spec.table, 'x')} "
                          f"WHERE {choice}{due}",
                          [target, *(batch.ids if choice else []), *params])
    due, params = _due(db, kind, spec.table, batch, policy, held, anonymous)
    if spec.delete:
        return db.execute(f"DELETE FROM {spec.table} WHERE " + due, params)
    return db.execute(f"UPDATE {spec.table} SET {spec.user} = %s{_keep(ctx, spec.table, None)} WHERE " + due,
                      [target, *params])


def committed(db: Database, kind: str, batch: Batch, policy: dict, held, ctx: Context) -> bool:
    """Whether an applied batch's change is in the library system: none of its rows is left to unlink."""
    spec, anonymous = SPECS[kind], ctx.anonymous
    if not batch.unlinking:
        return True
    due, params = _due(db, kind, spec.table, batch, policy, held, anonymous)
    return int(db.one(f"SELECT COUNT(*) FROM {spec.table} WHERE " + due, params)[0]) == 0


def _still_linked(alias: str, kind: str) -> str:
    user = f"{alias}.{SPECS[kind].user}"
    return f"{user} IS NOT NULL AND {user} <> %s"


def linked_in(db: Database, kind: str, batch: Batch, ctx: Context) -> int:
    """How many rows of the batch's key range are linked to a user now: what the batch unlinked is how many fewer
    there are than when it was planned (``batch.linked``) — unlinked to the placeholder, or deleted."""
    span, spanned = _range(kind, "x", batch)
    return int(db.one(f"SELECT COUNT(*) FROM {SPECS[kind].table} x WHERE {span} AND {_still_linked('x', kind)}",
                      [*spanned, ctx.anonymous])[0])


def extent(db: Database, kind: str) -> int:
    """The kind's highest key now (for a progress bar)."""
    spec = SPECS[kind]
    return int(db.one(f"SELECT MAX({spec.key}) FROM {spec.table}")[0] or 0)


def census(db: Database, kind: str, buckets: list, ctx: Context) -> dict[str, int] | None:
    """Rows of ``kind`` still linked to a user, by age bucket (``buckets``: name and earliest closing day); None
    for renewals, which are counted with their loans."""
    spec = SPECS[kind]
    if spec.also:
        return None
    cases, params = [], []
    for _name, since in buckets:
        if since is None:
            cases.append(f"SUM(CASE WHEN {spec.closed} IS NOT NULL THEN 1 ELSE 0 END)")
        else:
            cases.append(f"SUM(CASE WHEN {spec.closed} >= %s THEN 1 ELSE 0 END)")
            params.append(db.date_param(since))
    row = db.one(f"SELECT {', '.join(cases)} FROM {spec.table} WHERE {spec.user} IS NOT NULL AND {spec.user} <> %s",
                 [*params, ctx.anonymous])
    # Each bucket counted cumulatively (closed since its day); what is left for each is the difference.
    totals = [int(v or 0) for v in row]
    names = [name for name, _since in buckets]
    return {name: totals[n] - (totals[n - 1] if n else 0) for n, name in enumerate(names)}
