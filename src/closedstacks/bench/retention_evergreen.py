"""``closedstacks bench retention`` on Evergreen: a retention run against Evergreen's own purge, on PostgreSQL.

An Evergreen-shaped database of ``loans`` circulations (renewals included) and ``users`` users is generated in a
scratch PostgreSQL database; about half of the closed circulations are past the retention period, and 1% of the
users are under a legal hold. A copy of it (``CREATE DATABASE … TEMPLATE``) takes Evergreen's way, the same rows
in one transaction: one INSERT INTO action.aged_circulation … SELECT, one DELETE — what ``purge_circulations()``
and its aging trigger come to, without their per-chain loop. The library itself then takes a real retention run
(batches, legal holds, progress saved after every batch), in a process of its own on a scratch Closed Stacks
database (``retention_evergreen_run.py``). Both databases are dropped afterwards.

Figures: ``run_vs_single_update`` (the run's time over the single transaction's), ``longest_batch_lock_s`` (the
longest batch, from its first read to its commit) and ``held_rows_changed`` (must be 0), with the raw seconds and
rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time

from closedstacks.bench.databases import POSTGRES_URL, scratch_database, scratch_ils_database, with_database


@contextlib.contextmanager
def copy_of(url: str):
    """A copy of the PostgreSQL database at ``url`` (nobody may be connected to it meanwhile), dropped after."""
    import psycopg
    from psycopg import sql

    name = f"closedstacks_copy_{secrets.token_hex(4)}"
    source = url.rsplit("/", 1)[1]
    admin = with_database(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(source)))
    try:
        yield with_database(url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run(*, users: int, loans: int, held_fraction: float = 0.01, batch: int = 1000, server_url: str = POSTGRES_URL,
        progress=None) -> dict:
    from closedstacks.ils.connectors.db import ConnectionSettings
    from closedstacks.ils.generators.evergreen import generate

    with scratch_ils_database("postgresql", server_url, locale="C") as url:  # as Evergreen's installer makes it
        started = time.perf_counter()
        generate(ConnectionSettings.from_url(url), users=users, loans=loans, seed=17, progress=progress)
        built = time.perf_counter() - started
        with copy_of(url) as copy, scratch_database("sqlite") as app, tempfile.TemporaryDirectory() as data:
            env = {**os.environ, "CLOSEDSTACKS_DATABASE_URL": app, "CLOSEDSTACKS_DATA_DIR": data,
                   "CLOSEDSTACKS_LOG_LEVEL": "WARNING"}
            done = subprocess.run([sys.executable, "-m", "closedstacks.bench.retention_evergreen_run", url, copy,
                                   str(held_fraction), str(batch)], env=env, stdout=subprocess.PIPE, text=True,
                                  check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"database": "postgresql", "shape": "evergreen", "users": users, "built_s": round(built, 1), **figures}
