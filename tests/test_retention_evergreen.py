"""Retention and the privacy audit on an Evergreen-shaped library (PostgreSQL and SQLite).

A run ages exactly what the policy says — closed loans (renewal chains whole) and holds into Evergreen's aged
tables, reading history of users who did not opt in deleted — and nothing a legal hold covers or a user chose to
keep; a dry run changes nothing and counts the same; a stopped or killed run resumes to the same end as an
uninterrupted one; a second run changes nothing; the privacy audit finds each planted leak and nothing after a
run. The expected rows come from the test's own reading of the tables (chains followed in Python).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict

import pytest
from django.utils import timezone

from closedstacks.audit.models import AuditEntry
from closedstacks.bench.retention_evergreen_run import connection_for
from closedstacks.ils.connectors.db import ConnectionSettings, connect
from closedstacks.ils.generators.evergreen import generate
from closedstacks.matters.procedure import perform
from closedstacks.retention import census, evergreen, privacy_audit, runs
from closedstacks.retention.batches import day
from closedstacks.retention.models import RetentionPolicy
from closedstacks.retention.services import update_policy
from tests.conftest import cli_env, closedstacks
from tests.ils import evergreen_database, ils_url  # noqa: F401 (a fixture)
from tests.kills import killed_then_finished
from tests.procedure import instrument_data, matter_at, set_officer
from tests.test_connector_evergreen import Truth
from tests.test_retention_interruptions import Interrupted
from tests.test_retention_kill import counts as run_counts

DRIVERS = ["postgresql", "sqlite"]
KINDS = ("past_loans", "past_holds", "reading_history")
LIVE = {"past_loans": "action.circulation", "past_holds": "action.hold_request",
        "reading_history": "action.usr_circ_history"}
AGED = {"past_loans": "action.aged_circulation", "past_holds": "action.aged_hold_request"}
CIRC_HISTORY, HOLD_HISTORY = "history.circ.retention_start", "history.hold.retention_start"
# Evergreen counts a user as keeping their reading history with either setting (its history trigger reads both).
CIRC_OPT_IN = (CIRC_HISTORY, "history.circ.retention_age")
HOLD_AGE = "history.hold.retention_age"
TODAY = timezone.now()  # the generated library's five years end now, so that some of it is still recent
HOLD_FROM, HOLD_TO = TODAY.date() - dt.timedelta(days=1100), TODAY.date() - dt.timedelta(days=400)
BIG = 10_000_000


def generated(url: str, *, users: int = 150, loans: int = 4000) -> ConnectionSettings:
    """A generated library; a quarter of the users who kept their reading history have turned it off since
    (Evergreen removes the setting; the history is left for retention)."""
    where = ConnectionSettings.from_url(url)
    generate(where, users=users, loans=loans, seed=5, today=TODAY)
    execute(where, "DELETE FROM {actor.usr_setting} WHERE name IN (%s, %s) AND usr - usr / 4 * 4 = 0",
            params=CIRC_OPT_IN)
    return where


def build(url: str, name: str = "evergreen") -> dict:
    """A generated library and its connection."""
    where = generated(url)
    return {"where": where, "connection": connection_for(where, name)}


def execute(where, *statements: str, params=()) -> None:
    """Run statements on the library (table names in braces, as ``{action.circulation}``) and commit."""
    with connect(where, autocommit=False) as db:
        for statement in statements:
            db.execute(_tables(db, statement), params)
        db.connection.commit()


def _tables(db, statement: str) -> str:
    for name in (*LIVE.values(), *AGED.values(), "actor.usr_setting", "actor.usr", "actor.card", "asset.copy"):
        statement = statement.replace("{" + name + "}", db.table(name))
    return statement


def rows(where, table: str, columns: str = "*") -> dict[int, tuple]:
    with connect(where) as db:
        return {int(r[0]): tuple(r) for r in db.rows(f"SELECT id, {columns} FROM {db.table(table)}")}


def snapshot(where) -> dict[str, set[int]]:
    """The ids in each live and aged table."""
    return {table: set(rows(where, table, "id")) for table in (*LIVE.values(), *AGED.values())}


class Library(Truth):
    """The library as the connector's test reads it, with the users' settings, and the test's own answer to what a
    run should do."""

    def __init__(self, where):
        super().__init__(where)
        self.values = {(r[1], r[2]): r[3] for r in rows(where, "actor.usr_setting", "usr, name, value").values()}
        self.settings = set(self.values)
        self.driver = where.driver
        self.raw_holds = {h[0]: h[3] or h[4] for h in self.holds}

    def reads(self, user) -> bool:
        """Whether Evergreen keeps this user's reading history (either of its two settings)."""
        return any((user, name) in self.settings for name in CIRC_OPT_IN)

    def opted(self, kind: str, user, closed, ids) -> bool:
        """Whether Evergreen's own purge would keep this unit for the user's choice: never a circulation (the
        choice keeps reading history); reading history with either setting; a hold closed since the user's
        history.hold.retention_start and, with history.hold.retention_age, within that age (PostgreSQL)."""
        if kind == "past_loans":
            return False
        if kind == "reading_history":
            return self.reads(user)
        start = self.values.get((user, HOLD_HISTORY))
        if start is None or closed < dt.date.fromisoformat(json.loads(start)[:10]):
            return False
        age = self.values.get((user, HOLD_AGE))
        if age is not None and self.driver == "postgresql":
            years = int(json.loads(age).split()[0])
            ended = self.raw_holds[ids[0]]
            ended = ended if isinstance(ended, dt.datetime) else dt.datetime.fromisoformat(str(ended))
            now = timezone.now()
            return ended >= now.replace(year=now.year - years)
        return True

    def units(self, kind: str):
        """(user, the date a hold compares, when it closed (None: open), rows) per loan, hold or history row."""
        if kind == "past_loans":
            for head, chain in self.chains():
                finished = [c[3] for c in chain]
                closed = max(day(f) for f in finished) if all(f is not None for f in finished) else None
                yield head[1], day(head[2]), closed, [c[0] for c in chain]
        elif kind == "past_holds":
            for hold in self.holds:
                yield hold[1], day(hold[2]), day(hold[3] or hold[4]), [hold[0]]
        else:
            for line in self.history:
                yield line[1], day(line[2]), day(line[4]), [line[0]]

    def expected(self, kind: str, *, held_user=None, opt_in: bool = True) -> dict[str, dict[int, int]]:
        """Row id → user, for the rows a run ages or deletes (due), keeps for a hold, keeps by the user's choice."""
        keep_days = 0 if kind == "reading_history" else 30
        cutoff = timezone.localdate() - dt.timedelta(days=keep_days)
        out = {"due": {}, "held": {}, "opt_in": {}}
        for user, dated, closed, ids in self.units(kind):
            if closed is None or closed >= cutoff:
                continue
            if user == held_user and HOLD_FROM <= dated <= HOLD_TO:
                where = "held"
            elif opt_in and self.opted(kind, user, closed, ids):
                where = "opt_in"
            else:
                where = "due"
            out[where].update(dict.fromkeys(ids, user))
        return out


def held_card(where, library: Library) -> tuple[str, int]:
    """The card of a user with many loans who turned their reading history off (so each kind has rows to hold)."""
    readers = {h[1] for h in library.history if not library.reads(h[1])}
    loans = defaultdict(int)
    for circ in library.circs.values():
        loans[circ[1]] += circ[1] in readers
    with connect(where) as db:
        live = {int(r[0]): r[1] for r in db.rows(f"SELECT u.id, c.barcode FROM {db.table('actor.usr')} u JOIN "
                                                  f"{db.table('actor.card')} c ON c.id = u.card WHERE NOT u.deleted")}
    user = max((u for u in loans if u in live), key=lambda u: (loans[u], u))
    return live[user], user


def hold_on(accounts, card: str):
    set_officer(accounts["officer"])
    matter = matter_at("explained", accounts)
    return perform(matter, "attach_instrument", by=accounts["director"], **instrument_data(
        type="preservation_request", designated=[("card", card)], record_kinds=list(KINDS),
        date_from=HOLD_FROM, date_to=HOLD_TO))


def held_library(url: str, accounts) -> tuple[dict, Library, str, int]:
    """A library with one user under a legal hold (all three kinds, HOLD_FROM to HOLD_TO): the library and its
    connection, the library as read before anything ran, the user's card and id."""
    library = build(url)
    before = Library(library["where"])
    card, held_user = held_card(library["where"], before)
    hold_on(accounts, card)
    return library, before, card, held_user


def counts(run) -> dict:
    return {kind: {c: state[c] for c in ("examined", "unlinked", "kept_for_holds", "kept_opt_in")}
            for kind, state in run.progress.items()}


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_run_ages_exactly_what_the_policy_says_and_nothing_held(driver, accounts, ils_url):  # noqa: F811
    library, before, card, held_user = held_library(evergreen_database(ils_url, driver), accounts)
    where = library["where"]
    want = {kind: before.expected(kind, held_user=held_user) for kind in KINDS}
    for kind in KINDS:
        assert want[kind]["due"] and want[kind]["held"], kind
        # What the users' own choice keeps, as Evergreen's purge decides: never a circulation.
        assert bool(want[kind]["opt_in"]) == (kind != "past_loans"), kind
    assert any(len(chain) > 1 and head[0] in want["past_loans"]["due"] for head, chain in before.chains())
    untouched = snapshot(where)
    originals = {kind: records(where, LIVE[kind]) for kind in AGED}

    dry = runs.execute(runs.start(library["connection"], by=accounts["officer"], dry_run=True), batch_size=150)
    assert dry.status == "done", dry.problem
    assert snapshot(where) == untouched  # a dry run changes nothing

    done = runs.execute(runs.start(library["connection"], by=accounts["officer"]), batch_size=150)
    assert done.status == "done", done.problem
    after = snapshot(where)
    for kind in KINDS:
        gone = untouched[LIVE[kind]] - after[LIVE[kind]]
        assert gone == set(want[kind]["due"]), kind  # exactly what the policy says: nothing held, nothing opted in
        assert after[LIVE[kind]] <= untouched[LIVE[kind]]
        if kind in AGED:
            assert after[AGED[kind]] - untouched[AGED[kind]] == gone  # aged, under the same ids
        assert counts(done)[kind] == {"examined": len(untouched[LIVE[kind]]), "unlinked": len(gone),
                                      "kept_for_holds": len(want[kind]["held"]),
                                      "kept_opt_in": len(want[kind]["opt_in"])}, kind
    assert counts(dry) == counts(done)  # the dry run reported what the run then did
    assert_aged_as_evergreen_does(where, originals, want)
    entry = AuditEntry.objects.filter(action="retention.run_finished").last()
    assert card not in entry.details and str(held_user) not in entry.details.replace('"', " ").split()
    # The census counts what is still linked (closed, still in the live tables), by age.
    left = Library(where)
    still = {"past_loans": sum(1 for c in left.circs.values() if c[3] is not None),
             "past_holds": sum(1 for h in left.holds if h[3] or h[4]),
             "reading_history": sum(1 for h in left.history if h[4] is not None)}
    taken = census.take(library["connection"])
    assert {kind: sum(buckets.values()) for kind, buckets in taken.counts.items()} == still
    month = timezone.localdate() - dt.timedelta(days=30)
    assert taken.counts["past_loans"]["30"] == sum(1 for c in left.circs.values() if c[3] and day(c[3]) >= month) > 0

    again = runs.execute(runs.start(library["connection"], by=accounts["officer"]), batch_size=150)
    assert again.status == "done" and again.totals()["unlinked"] == 0 and snapshot(where) == after


def test_where_evergreen_ages_in_its_own_triggers_the_run_only_deletes(accounts, ils_url):  # noqa: F811
    """A real Evergreen ages a deleted circulation or hold in its own triggers (a renewal chain whole, from its last
    circulation): the run leaves that to them, and each row is aged once, as Evergreen ages it."""
    from closedstacks.ils.connectors.evergreen import schema

    library = build(evergreen_database(ils_url, "postgresql"))
    where = library["where"]
    with connect(where, autocommit=False) as db:
        schema.create_triggers(db)
        db.connection.commit()
        assert evergreen.context(db).aged_by_trigger == {"past_loans", "past_holds"}
    before, untouched = Library(where), snapshot(where)
    done = runs.execute(runs.start(library["connection"], by=accounts["officer"]), batch_size=300)
    assert done.status == "done", done.problem
    after = snapshot(where)
    for kind in AGED:
        due = set(before.expected(kind)["due"])
        assert untouched[LIVE[kind]] - after[LIVE[kind]] == due == after[AGED[kind]] - untouched[AGED[kind]], kind
        assert done.progress[kind]["unlinked"] == len(due)
    aged_holds = records(where, AGED["past_holds"])
    assert not any(row.get("canceled_by") for pk, row in aged_holds.items() if pk in set(
        before.expected("past_holds")["due"]))  # who cancelled (the user, often) is not aged with the hold


def records(where, table: str) -> dict[int, dict]:
    """Every row of ``table`` as {column: value}, by id."""
    with connect(where) as db:
        cursor = db.connection.cursor()
        cursor.execute(f"SELECT * FROM {db.table(table)}")
        names = [d[0] for d in cursor.description]
        return {int(r[0]): dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


def assert_aged_as_evergreen_does(where, originals: dict, want: dict) -> None:
    """Each aged row is the live row it was, the user replaced by their demographics (as Evergreen's
    action.all_circulation / all_hold_request views give them), the copy by its call number and record."""
    with connect(where) as db:
        t = db.table
        users = {int(r[0]): (r[1], r[2], r[3], day(r[4]).year) for r in db.rows(
            f"SELECT u.id, a.post_code, u.home_ou, u.profile, u.dob FROM {t('actor.usr')} u "
            f"LEFT JOIN {t('actor.usr_address')} a ON a.id = u.mailing_address")}
        copies = {int(r[0]): tuple(r[1:]) for r in db.rows(
            f"SELECT cp.id, cp.call_number, cn.owning_lib, cp.circ_lib, cn.record FROM {t('asset.copy')} cp "
            f"JOIN {t('asset.call_number')} cn ON cn.id = cp.call_number")}
    for kind in AGED:
        aged = records(where, AGED[kind])
        for pk, user in want[kind]["due"].items():
            was, now = originals[kind][pk], aged[pk]
            assert (now["usr_post_code"], now["usr_home_ou"], now["usr_profile"], now["usr_birth_year"]) == \
                users[user], (kind, pk)
            copied = [c for c in now if c in was and not c.endswith("_notify")]
            assert [now[c] for c in copied] == [was[c] for c in copied], (kind, pk)
            if kind == "past_loans":
                assert (now["copy_call_number"], now["copy_owning_lib"], now["copy_circ_lib"],
                        now["copy_bib_record"]) == copies[was["target_copy"]], pk
            else:
                assert bool(now["staff_placed"]) == (was["requestor"] != was["usr"]), pk


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_stopped_run_resumes_to_the_same_end_as_an_uninterrupted_one(driver, accounts, ils_url):  # noqa: F811
    straight, stopped = (build(evergreen_database(ils_url, driver), name) for name in ("straight", "stopped"))
    card, _ = held_card(straight["where"], Library(straight["where"]))
    hold_on(accounts, card)
    first = runs.execute(runs.start(straight["connection"], by=accounts["officer"]), batch_size=100)

    run = runs.start(stopped["connection"], by=accounts["officer"])
    calls = []
    for stop_after in (3, 30, 7, 10):  # stopped four times, in different kinds and batches
        calls.clear()
        run = runs.execute(run, batch_size=100, should_stop=lambda n=stop_after: calls.append(1) or len(calls) > n)
        assert run.status == "stopped"
    run = runs.execute(run, batch_size=100)
    assert run.status == first.status == "done"
    assert snapshot(stopped["where"]) == snapshot(straight["where"])
    assert counts(run) == counts(first)


def dying(real, rng: random.Random):
    """``real``, which may die (as the process would) just before or just after doing its work."""
    def call(*args, **kwargs):
        if rng.random() < 0.03:
            raise Interrupted
        done = real(*args, **kwargs)
        if rng.random() < 0.03:
            raise Interrupted
        return done
    return call


def test_interrupted_anywhere_and_resumed_it_ends_as_an_uninterrupted_run(accounts, ils_url, monkeypatch):  # noqa: F811
    """Died before or after recording progress, planning a batch or changing the library (before its commit)."""
    reference, library = build(ils_url("sqlite"), "reference"), build(ils_url("sqlite"), "interrupted")
    hold_on(accounts, held_card(library["where"], Library(library["where"]))[0])
    straight = runs.execute(runs.start(reference["connection"], by=accounts["officer"]), batch_size=100)
    rng = random.Random(4)
    for module, name in ((runs, "_save"), (evergreen, "plan"), (evergreen, "apply")):
        monkeypatch.setattr(module, name, dying(getattr(module, name), rng))
    run, interruptions = runs.start(library["connection"], by=accounts["officer"]), 0
    while run.status != "done" and interruptions < 500:
        try:
            run = runs.execute(run.pk, batch_size=100)
        except Interrupted:
            interruptions += 1
    assert run.status == "done" and interruptions >= 5
    assert snapshot(library["where"]) == snapshot(reference["where"])
    assert counts(run) == counts(straight)


@pytest.mark.parametrize("driver", DRIVERS)
def test_committed_tells_an_applied_batch_from_one_rolled_back(driver, ils_url):  # noqa: F811
    """What a resumed run asks after a crash between recording a batch as pending and recording it as done."""
    where = generated(evergreen_database(ils_url, driver))
    cutoff = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    policy = {"cutoff": cutoff, "respect_opt_in": True, "keep_days": 30}
    with connect(where, autocommit=False) as db:
        evergreen.context(db)
        for kind in ("past_loans", "past_holds"):
            batch = evergreen.plan(db, kind, 0, 300, policy, {}, None)
            assert batch.due and not evergreen.committed(db, kind, batch, policy, {}, None)
            assert evergreen.apply(db, kind, batch, policy, {}, None) == batch.unlinking
            assert evergreen.committed(db, kind, batch, policy, {}, None)
            db.connection.rollback()  # as if the process died before the commit
            assert not evergreen.committed(db, kind, batch, policy, {}, None)
            assert evergreen.apply(db, kind, batch, policy, {}, None) == batch.unlinking
            db.connection.commit()
            assert evergreen.committed(db, kind, batch, policy, {}, None)


def audit_counts(library, accounts) -> dict[str, int]:
    audit = privacy_audit.run(library["connection"], by=accounts["officer"])
    assert all(f["oldest"] for f in audit.checks if f["count"])
    kept = {f["code"]: f for f in audit.kept_on_purpose}  # the rest of the map: counted, with the reason
    assert kept["kept_action_non_cataloged_circulation"]["count"] > 0 and kept["kept_booking_reservation"]["fix"]
    return {f["code"]: f["count"] for f in audit.checks}


def plant(where, user: int, reader: int) -> None:
    """A renewed loan and a hold closed two years ago, and a line of reading history, for users who keep nothing."""
    long_ago, a_bit_later = TODAY - dt.timedelta(days=730), TODAY - dt.timedelta(days=700)
    with connect(where) as db:
        copy = db.one(f"SELECT MIN(id) FROM {db.table('asset.copy')}")[0]
    when = [db_date(where, value) for value in (long_ago, a_bit_later)]
    # With the columns Evergreen requires of every circulation (its rules, the renewals left).
    rules = ("renewal_remaining, grace_period, duration_rule, recurring_fine_rule, max_fine_rule",
             "0, '1 day', 'default', 'default', 'default'")
    execute(where, "INSERT INTO {action.circulation} (id, usr, xact_start, xact_finish, checkin_time, target_copy, "
                   f"circ_lib, circ_staff, parent_circ, {rules[0]}) VALUES (%s, %s, %s, %s, %s, %s, 4, 1004, NULL, "
                   f"{rules[1]}), (%s, %s, %s, %s, %s, %s, 4, 1004, %s, {rules[1]})",
            params=(BIG, user, when[0], when[0], when[0], copy, BIG + 1, user, when[0], when[1], when[1], copy, BIG))
    execute(where, "INSERT INTO {action.hold_request} (id, usr, requestor, request_time, cancel_time, target, "
                   "request_lib, selection_ou, pickup_lib, hold_type) VALUES (%s, %s, %s, %s, %s, 1, 4, 4, 4, 'T')",
            params=(BIG, user, user, when[0], when[1]))
    execute(where, "INSERT INTO {action.usr_circ_history} (id, usr, xact_start, target_copy, due_date, checkin_time) "
                   "VALUES (%s, %s, %s, %s, %s, %s)", params=(BIG, reader, when[0], copy, when[1], when[1]))


def db_date(where, value: dt.datetime):
    return value if where.driver == "postgresql" else value.isoformat(sep=" ")


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_audit_finds_each_planted_leak_and_nothing_after_a_run(driver, accounts, ils_url):  # noqa: F811
    library, before, _card, held_user = held_library(evergreen_database(ils_url, driver), accounts)
    where = library["where"]
    # Before any run: what a run would age or delete, users under a hold left out altogether.
    found = audit_counts(library, accounts)
    for kind in KINDS:
        due = before.expected(kind)["due"]
        assert found[f"{kind}_linked"] == sum(1 for user in due.values() if user != held_user) > 0, kind
    assert found["opt_in_ignored"] == 0

    assert runs.execute(runs.start(library["connection"], by=accounts["officer"])).status == "done"
    assert audit_counts(library, accounts) == dict.fromkeys(
        ("past_loans_linked", "past_holds_linked", "reading_history_linked", "opt_in_ignored"), 0)

    kept = Library(where).settings
    user = next(u for u in sorted(before.circs[c][1] for c in before.circs) if u != held_user and
                not any((u, name) in kept for name in (*CIRC_OPT_IN, HOLD_HISTORY)))
    plant(where, user, reader=user)
    assert audit_counts(library, accounts) == {"past_loans_linked": 2, "past_holds_linked": 1,
                                               "reading_history_linked": 1, "opt_in_ignored": 0}
    # A policy that no longer respects the users' choice: those who chose to keep their history are counted.
    policy = RetentionPolicy.objects.get(connection=library["connection"], kind="reading_history")
    update_policy(policy, by=accounts["officer"], version=policy.version, keep_days=0, respect_opt_in=False,
                  keep_outstanding=False, enabled=True)
    now = Library(where)
    readers = {u for u, _name in now.settings if now.reads(u) and u != held_user}
    found = audit_counts(library, accounts)
    assert found["opt_in_ignored"] == len(readers) > 0
    assert found["reading_history_linked"] == sum(
        1 for u in now.expected("reading_history", opt_in=False)["due"].values() if u != held_user)
    assert found["past_loans_linked"] == 2 and found["past_holds_linked"] == 1


KILLS = 6


def links(where) -> dict[str, list[int]]:
    return {table: sorted(ids) for table, ids in snapshot(where).items()}


@pytest.mark.slow
def test_killed_at_random_and_resumed_it_ends_as_an_uninterrupted_run(scratch_url, tmp_path, ils_url):  # noqa: F811
    """SIGKILL at random points of a run on PostgreSQL, resumed each time: the same end as a run never killed."""
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    places = {}
    for name in ("straight", "killed"):
        where = places[name] = generated(evergreen_database(ils_url, "postgresql"), users=400, loans=60_000)
        added = closedstacks("connector", "add", name, "--kind", "evergreen", "--driver", "postgresql", "--host",
                             where.host, "--port", str(where.port or 5432), "--database", where.database, "--user",
                             where.user, "--write-user", where.user, env=env)
        assert added.returncode == 0, added.stderr
    untouched = links(places["killed"])
    assert links(places["straight"]) == untouched

    done = closedstacks("retention", "run", "--connection", "straight", "--batch", "50", env=env, timeout=600)
    assert done.returncode == 0, done.stderr

    killed_then_finished(env, database_url=scratch_url, connection="killed", batch=50, kills=KILLS, seed=2027)

    assert links(places["killed"]) == links(places["straight"]) != untouched
    straight, resumed = run_counts(env, "straight"), run_counts(env, "killed")
    assert resumed["status"] == straight["status"] == "done"
    assert resumed["progress"] == straight["progress"]
    again = closedstacks("retention", "run", "--connection", "killed", env=env, timeout=600)
    assert again.stdout.count("unlinked 0,") == len(KINDS) and links(places["killed"]) == links(places["straight"])
