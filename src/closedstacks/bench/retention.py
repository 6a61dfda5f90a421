"""``closedstacks bench retention``: a retention run against the single UPDATE Koha would issue, on MariaDB.

Full size: a Koha-shaped database of 10,000,000 past loans (about half of
them past the retention period) and 200,000 users, 1% of them under legal
hold, built by the generator in a scratch MariaDB database (dropped
afterwards). The measuring runs in a process of its own on a scratch
Closed Stacks database (``retention_run.py``). Figures: ``run_vs_single_update``
(the whole run's time over the single statement's, same rows, same data),
``longest_batch_lock_s`` (the longest batch, from reading its rows locked to
its commit) and ``held_rows_changed`` (must be 0). Evergreen on PostgreSQL
is still to come.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from closedstacks.bench.databases import MARIADB_URL, scratch_database, scratch_ils_database


def run(*, users: int, loans: int, held_fraction: float = 0.01, batch: int = 1000, server_url: str = MARIADB_URL,
        progress=None) -> dict:
    from closedstacks.ils import generators
    from closedstacks.ils.connectors.db import ConnectionSettings

    with scratch_ils_database("mysql", server_url) as url:
        started = time.perf_counter()
        generators.get("koha")(ConnectionSettings.from_url(url), users=users, loans=loans, seed=17,
                                 progress=progress)
        built = time.perf_counter() - started
        with scratch_database("sqlite") as app, tempfile.TemporaryDirectory() as data:
            env = {**os.environ, "CLOSEDSTACKS_DATABASE_URL": app, "CLOSEDSTACKS_DATA_DIR": data,
                   "CLOSEDSTACKS_LOG_LEVEL": "WARNING"}
            done = subprocess.run([sys.executable, "-m", "closedstacks.bench.retention_run", url, str(held_fraction),
                                   str(batch)], env=env, stdout=subprocess.PIPE, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"database": "mariadb", "shape": "koha", "users": users, "built_s": round(built, 1), **figures}
