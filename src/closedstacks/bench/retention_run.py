"""The retention benchmark's measuring half, in its own process on a scratch Closed Stacks database.

Usage: python -m closedstacks.bench.retention_run ILS_URL HELD_FRACTION BATCH
Prints one JSON line. On the Koha-shaped ILS at ILS_URL (past loans already
built, half of them past the retention period): the single UPDATE Koha's
``batch_anonymise.pl`` would issue for the same rows, timed on a copy of
``old_issues``; then a real retention run of past loans (batches, legal holds
on HELD_FRACTION of the users, progress saved after every batch) on the
table itself; then the held users' rows are compared with what they were.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time


def main(argv: list[str]) -> None:
    ils_url, held_fraction, batch = argv[0], float(argv[1]), int(argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "closedstacks.conf.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from closedstacks.accounts.models import User
    from closedstacks.ils.connectors.db import ConnectionSettings, connect
    from closedstacks.ils.models import Connection
    from closedstacks.matters.models import DesignatedUser, Instrument, Matter
    from closedstacks.records.models import LegalHold
    from closedstacks.retention import runs
    from closedstacks.retention.models import RetentionPolicy
    from closedstacks.retention.services import policies_for

    call_command("migrate", interactive=False, verbosity=0)
    where = ConnectionSettings.from_url(ils_url)
    connection = Connection(name="bench", connector="koha", driver=where.driver, host=where.host,
                            port=where.port, database=where.database, read_user=where.user, write_user=where.user)
    connection.set_password("read", where.password)
    connection.set_password("write", where.password)
    connection.save()
    policies_for(connection, by="bench")
    RetentionPolicy.objects.filter(connection=connection).exclude(kind="past_loans").update(enabled=False)
    with connect(where, autocommit=True) as db:
        # Keep loans as long as it takes for half of them to be past the retention period.
        total = db.one("SELECT COUNT(*) FROM old_issues")[0]
        median = db.one("SELECT returndate FROM old_issues ORDER BY returndate LIMIT 1 OFFSET %s", (total // 2,))[0]
        keep_days = max(0, (timezone.localdate() - median.date()).days)
        RetentionPolicy.objects.filter(connection=connection, kind="past_loans").update(keep_days=keep_days)
        cutoff = timezone.localdate() - dt.timedelta(days=keep_days)
        anonymous = int(db.one("SELECT value FROM systempreferences WHERE variable = 'AnonymousPatron'")[0])
        users = [int(r[0]) for r in db.rows("SELECT borrowernumber FROM borrowers WHERE borrowernumber <> %s AND "
                                            "categorycode <> 'S' ORDER BY borrowernumber", (anonymous,))]
        held = sorted(random.Random(3).sample(users, max(1, int(len(users) * held_fraction))))
        cards = dict(db.rows("SELECT borrowernumber, cardnumber FROM borrowers WHERE borrowernumber IN ("
                             + ", ".join(["%s"] * len(held)) + ")", held))
        due = db.one("SELECT COUNT(*) FROM old_issues WHERE returndate < %s", (cutoff,))[0]
        held_before = list(db.rows("SELECT issue_id, borrowernumber FROM old_issues WHERE borrowernumber IN ("
                                   + ", ".join(["%s"] * len(held)) + ") ORDER BY issue_id", held))
        # Koha's own single statement, for the same rows (held users left out, as the run leaves them), timed on
        # a copy so that the run still finds the rows linked.
        db.connection.cursor().execute("CREATE TABLE old_issues_single LIKE old_issues")
        db.connection.cursor().execute("INSERT INTO old_issues_single SELECT * FROM old_issues")
        began = time.perf_counter()
        cursor = db.connection.cursor()
        cursor.execute("UPDATE old_issues_single x JOIN borrowers p ON p.borrowernumber = x.borrowernumber "
                       "SET x.borrowernumber = %s WHERE x.borrowernumber IS NOT NULL AND x.borrowernumber <> %s "
                       "AND p.privacy <> 0 AND x.returndate < %s AND x.borrowernumber NOT IN ("
                       + ", ".join(["%s"] * len(held)) + ")", (anonymous, anonymous, cutoff, *held))
        single_rows = cursor.rowcount
        single_s = time.perf_counter() - began
        cursor.execute("DROP TABLE old_issues_single")

    staff = User.objects.create(username="bench-officer")
    matter = Matter.objects.create(reference="BENCH-1", logged_by=staff, requester_name="bench", channel="mail",
                                   request_text="bench")
    instrument = Instrument.objects.create(matter=matter, type="preservation_request", issuing_authority="bench",
                                           received_by=staff)
    designated = DesignatedUser.objects.bulk_create(
        [DesignatedUser(instrument=instrument, identifier_type="card", value=cards[u]) for u in held])
    LegalHold.objects.bulk_create([LegalHold(matter=matter, instrument=instrument, designated=d,
                                             ils_user_ids=[str(u)], placed_by=staff)
                                   for d, u in zip(designated, held, strict=True)])
    run = runs.start(connection, by="bench")
    began = time.perf_counter()
    done = runs.execute(run, batch_size=batch)
    run_s = time.perf_counter() - began
    state = done.progress["past_loans"]
    steps = {step: {"s": progress.get("elapsed_s"), "unlinked": progress.get("unlinked"),
                    "longest_batch_s": progress.get("longest_batch_s"),
                    "smallest_batch": progress.get("smallest_batch")} for step, progress in done.progress.items()}
    with connect(where) as db:
        held_after = list(db.rows("SELECT issue_id, borrowernumber FROM old_issues WHERE issue_id IN ("
                                  + ", ".join(["%s"] * len(held_before)) + ") ORDER BY issue_id",
                                  [r[0] for r in held_before])) if held_before else []
    changed = sum(1 for a, b in zip(held_before, held_after, strict=True) if a != b) + \
        abs(len(held_before) - len(held_after))
    print(json.dumps({
        "past_loans": total, "past_retention": due, "keep_days": keep_days, "held_users": len(held), "batch": batch,
        "single_update_s": round(single_s, 2), "single_update_rows": single_rows,
        "run_s": round(run_s, 2), "run_unlinked": state["unlinked"], "status": done.status,
        "run_vs_single_update": round(run_s / single_s, 2) if single_s else None,
        "loans_step_s": state.get("elapsed_s"),
        "loans_step_vs_single_update": round(state["elapsed_s"] / single_s, 2) if single_s else None,
        "steps": steps,
        "longest_batch_lock_s": max(p.get("longest_batch_s") or 0 for p in done.progress.values()),
        "held_rows_changed": changed,
        "kept_for_holds": state["kept_for_holds"],
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
