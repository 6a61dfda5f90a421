"""The Evergreen retention benchmark's measuring half, in its own process on a scratch Closed Stacks database.

Usage: python -m closedstacks.bench.retention_evergreen_run ILS_URL COPY_URL HELD_FRACTION BATCH
Prints one JSON line. On the Evergreen-shaped ILS at ILS_URL (and its copy at COPY_URL): the policy keeps past
loans as long as it takes for half of the closed circulations to be past the retention period; HELD_FRACTION of
the users are put under a legal hold (all kinds, all dates). On the copy, Evergreen's way for the same rows is
timed: one INSERT INTO action.aged_circulation … SELECT and one DELETE, in one transaction (JIT off, as the run
has it). On the library, a real retention run of past loans; then the held users' circulations are compared with
what they were.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time

# Evergreen's purge as one set-based transaction: the closed renewal chains (every circulation finished, the last
# before the cutoff) of users under no hold — whatever the user chose, as purge_circulations() ages them (the choice
# keeps the reading history) — their circulations aged, then deleted.
DUE = """WITH RECURSIVE chain (tail, id, parent) AS (
 SELECT c.id, c.id, c.parent_circ FROM action.circulation c
  WHERE NOT EXISTS (SELECT 1 FROM action.circulation k WHERE k.parent_circ = c.id)
   AND c.usr <> ALL(%s)
 UNION ALL SELECT chain.tail, p.id, p.parent_circ FROM chain JOIN action.circulation p ON p.id = chain.parent),
closed AS (SELECT ch.tail FROM chain ch JOIN action.circulation c ON c.id = ch.id GROUP BY ch.tail
 HAVING COUNT(c.xact_finish) = COUNT(*) AND MAX(c.xact_finish) < %s)
SELECT ch.id FROM chain ch JOIN closed USING (tail)"""


def evergreens_way(copy, cutoff: dt.date, held: list[int]) -> tuple[float, int]:
    """Seconds and rows of the single transaction on the copy."""
    from closedstacks.ils.connectors.db import connect
    from closedstacks.retention import evergreen

    with connect(copy, autocommit=False) as db:
        db.execute("SET jit = off")  # as the run has it (compiling is slower here too): the same footing
        began = time.perf_counter()
        aged = db.execute(evergreen.aging(db, "past_loans", f"x.id IN ({DUE})"), (held, cutoff))
        gone = db.execute("DELETE FROM action.circulation c USING action.aged_circulation a WHERE a.id = c.id")
        db.connection.commit()
        seconds = time.perf_counter() - began
    assert aged == gone, (aged, gone)
    return seconds, gone


def half_past_retention(db) -> tuple[int, int]:
    """The number of closed circulations, and the days to keep them for half of them to be past retention."""
    from django.utils import timezone

    closed = db.one("SELECT COUNT(*) FROM action.circulation WHERE xact_finish IS NOT NULL")[0]
    median = db.one("SELECT xact_finish FROM action.circulation WHERE xact_finish IS NOT NULL ORDER BY xact_finish "
                    "LIMIT 1 OFFSET %s", (closed // 2,))[0]
    return closed, max(0, (timezone.localdate() - median.date()).days)


def place_holds(db, fraction: float) -> list[int]:
    """Legal holds (all kinds, all dates) on ``fraction`` of the users, as a matter's instrument places them."""
    from closedstacks.accounts.models import User
    from closedstacks.matters.models import DesignatedUser, Instrument, Matter
    from closedstacks.records.models import LegalHold

    cards = dict(db.rows("SELECT u.id, c.barcode FROM actor.usr u JOIN actor.card c ON c.id = u.card "
                         "WHERE NOT u.deleted ORDER BY u.id"))
    held = sorted(random.Random(3).sample(sorted(cards), max(1, int(len(cards) * fraction))))
    staff = User.objects.create(username="bench-officer")
    matter = Matter.objects.create(reference="BENCH-EG", logged_by=staff, requester_name="bench", channel="mail",
                                   request_text="bench")
    instrument = Instrument.objects.create(matter=matter, type="preservation_request", issuing_authority="bench",
                                           received_by=staff)
    for user in held:
        designated = DesignatedUser.objects.create(instrument=instrument, identifier_type="card", value=cards[user])
        LegalHold.objects.create(matter=matter, instrument=instrument, designated=designated,
                                 ils_user_ids=[str(user)], placed_by=staff)
    return held


def held_rows(db, held: list[int]) -> list[tuple]:
    return list(db.rows("SELECT id, usr, xact_finish FROM action.circulation WHERE usr = ANY(%s) ORDER BY id",
                        (held,)))


def connection_for(where, name: str):
    """A saved Connection to the Evergreen at ``where`` (settings), the same credentials reading and writing."""
    from closedstacks.ils.models import Connection

    connection = Connection(name=name, connector="evergreen", driver=where.driver, host=where.host, port=where.port,
                            database=where.database, read_user=where.user, write_user=where.user)
    connection.set_password("read", where.password)
    connection.set_password("write", where.password)
    connection.save()
    return connection


def main(argv: list[str]) -> None:
    ils_url, copy_url, held_fraction, batch = argv[0], argv[1], float(argv[2]), int(argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "closedstacks.conf.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from closedstacks.ils.connectors.db import ConnectionSettings, connect
    from closedstacks.retention import runs
    from closedstacks.retention.models import RetentionPolicy
    from closedstacks.retention.services import policies_for

    call_command("migrate", interactive=False, verbosity=0)
    where, copy = ConnectionSettings.from_url(ils_url), ConnectionSettings.from_url(copy_url)
    connection = connection_for(where, "bench")
    policies_for(connection, by="bench")
    RetentionPolicy.objects.filter(connection=connection).exclude(kind="past_loans").update(enabled=False)
    with connect(where) as db:
        total = db.one("SELECT COUNT(*) FROM action.circulation")[0]
        closed, keep_days = half_past_retention(db)
        RetentionPolicy.objects.filter(connection=connection, kind="past_loans").update(keep_days=keep_days)
        held = place_holds(db, held_fraction)
        before = held_rows(db, held)
    single_s, single_rows = evergreens_way(copy, timezone.localdate() - dt.timedelta(days=keep_days), held)

    began = time.perf_counter()
    done = runs.execute(runs.start(connection, by="bench"), batch_size=batch)
    run_s = time.perf_counter() - began
    state = done.progress["past_loans"]
    with connect(where) as db:
        after = held_rows(db, held)
    changed = len(set(before) ^ set(after))
    print(json.dumps({
        "past_loans": total, "closed": closed, "keep_days": keep_days, "held_users": len(held), "batch": batch,
        "single_update_s": round(single_s, 2), "single_update_rows": single_rows,
        "run_s": round(run_s, 2), "run_unlinked": state["unlinked"], "status": done.status,
        "run_vs_single_update": round(run_s / single_s, 2) if single_s else None,
        "longest_batch_lock_s": max(p.get("longest_batch_s") or 0 for p in done.progress.values()),
        "smallest_batch": min((p.get("smallest_batch") or batch for p in done.progress.values()), default=batch),
        "held_rows_changed": changed, "kept_for_holds": state["kept_for_holds"],
        "kept_opt_in": state["kept_opt_in"],
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
