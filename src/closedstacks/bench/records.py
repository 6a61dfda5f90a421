"""``closedstacks bench records``: the Koha connector on MariaDB against hand-written SQL, and a production's memory.

Full size: a Koha-shaped database of 10,000,000 past loans and 200,000 users,
built by the generator in a scratch MariaDB database (dropped afterwards).

- ``extract_vs_raw_sql``: for sample users, counting *and* extracting one
  user's past loans over a date range through the connector, against the
  single hand-written indexed query that returns the same rows. Both run on
  a connection already open (as a production keeps one open); opening the
  connector's is reported apart (``connect_ms``: PyMySQL builds a TLS
  context each time). Each timing is the best of three; the ratio is of the
  totals over all samples.
- ``production_peak_rss_mb``: the peak memory of a separate process that
  compiles a production of about 10,000 records (CSV, PDF parts, manifest)
  from that database, beside the peak of the same process doing everything
  but the production (``production_baseline_rss_mb``).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date

from closedstacks.bench.databases import MARIADB_URL, scratch_ils_database

RAW = ("SELECT x.borrowernumber, p.cardnumber, x.issue_id, x.issuedate, x.date_due, x.returndate, x.renewals_count,"
       " i.barcode, b.title, b.author, i.itemcallnumber, x.branchcode FROM old_issues x"
       " JOIN borrowers p ON p.borrowernumber = x.borrowernumber"
       " LEFT JOIN items i ON i.itemnumber = x.itemnumber LEFT JOIN biblio b ON b.biblionumber = i.biblionumber"
       " WHERE x.borrowernumber = %s AND x.issuedate >= %s AND x.issuedate < %s ORDER BY x.issuedate, x.issue_id")
DATE_FROM, DATE_TO, DATE_END = date(2022, 1, 1), date(2024, 12, 31), date(2025, 1, 1)

CHILD = """
import json, resource, sys, time
from pathlib import Path
import django
django.setup()
from closedstacks.ils.connectors import get
from closedstacks.ils.connectors.base import Scope
from closedstacks.ils.connectors.db import ConnectionSettings
from closedstacks.records.package import build
args = json.loads(sys.argv[1])
connector = get("koha")(ConnectionSettings.from_url(args["url"]))
started = time.perf_counter()
made = None
if args["build"]:
    scope = Scope(users=tuple(args["users"]), kinds=("past_loans",))
    made = build(connector, scope, prefix="BENCH", out_dir=Path(args["out"]))
def peak_mb():
    # VmHWM is this process's own peak; ru_maxrss would also count the parent's RSS at fork (Linux keeps it
    # across exec), which here is the benchmark's, not the production's.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"records": made.total if made else 0, "seconds": time.perf_counter() - started,
                  "rss_mb": peak_mb()}))
"""


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _child(url: str, users: list[str], build: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="closedstacks-bench-production-") as out:
        done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(
            {"url": url, "users": users, "build": build, "out": out + "/p"})],
            capture_output=True, text=True, check=True, timeout=3600,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "closedstacks.conf.settings"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(*, users: int, loans: int, samples: int = 20, production_records: int = 10_000,
        server_url: str = MARIADB_URL, progress=None) -> dict:
    from closedstacks.ils import generators
    from closedstacks.ils.connectors import get
    from closedstacks.ils.connectors.base import Scope
    from closedstacks.ils.connectors.db import ConnectionSettings, connect

    with scratch_ils_database("mysql", server_url) as url:
        settings = ConnectionSettings.from_url(url)
        started = time.perf_counter()
        generators.get("koha")(settings, users=users, loans=loans, seed=11, progress=progress)
        built = time.perf_counter() - started
        connector = get("koha")(settings)
        rng = random.Random(5)
        with connect(settings) as db:
            ids = [str(row[0]) for row in db.rows("SELECT borrowernumber FROM borrowers ORDER BY borrowernumber")]
            chosen = rng.sample(ids, min(samples, len(ids)))
            raw_total = connector_total = 0.0
            rows_total = 0
            started = time.perf_counter()
            with connector.keep_open():
                connect_s = time.perf_counter() - started
                for user in chosen:
                    raw_rows = list(db.rows(RAW, (int(user), DATE_FROM, DATE_END)))
                    raw_total += _best(lambda u=user: list(db.rows(RAW, (int(u), DATE_FROM, DATE_END))))
                    scope = Scope(users=(user,), kinds=("past_loans",), date_from=DATE_FROM, date_to=DATE_TO)

                    def through_connector(scope=scope):
                        return connector.count(scope)["past_loans"], list(connector.extract(scope, "past_loans"))

                    counted, extracted = through_connector()
                    if counted != len(raw_rows) or len(extracted) != len(raw_rows):
                        raise AssertionError(f"the connector and the raw query disagree for a sample user "
                                             f"({counted}/{len(extracted)} vs {len(raw_rows)})")
                    connector_total += _best(through_connector)
                    rows_total += len(raw_rows)
            # Users whose past loans add up to about production_records.
            picked, total = [], 0
            anonymous = db.one("SELECT value FROM systempreferences WHERE variable = 'AnonymousPatron'")[0]
            for user, n in db.rows("SELECT borrowernumber, COUNT(*) FROM old_issues WHERE borrowernumber IS NOT "
                                   "NULL AND borrowernumber <> %s GROUP BY borrowernumber ORDER BY COUNT(*) DESC",
                                   (int(anonymous),)):
                if total >= production_records:
                    break
                picked.append(str(user))
                total += int(n)
        baseline = _child(url, picked, build=False)
        production = _child(url, picked, build=True)
    return {
        "users": users, "past_loans": loans, "built_s": round(built, 1), "samples": len(chosen),
        "sample_rows": rows_total, "raw_sql_ms": round(1000 * raw_total / len(chosen), 3),
        "connector_ms": round(1000 * connector_total / len(chosen), 3),
        "connect_ms": round(1000 * connect_s, 1),
        "extract_vs_raw_sql": round(connector_total / raw_total, 2) if raw_total else None,
        "production_records": production["records"], "production_s": round(production["seconds"], 1),
        "production_peak_rss_mb": round(production["rss_mb"], 1),
        "production_baseline_rss_mb": round(baseline["rss_mb"], 1),
    }
