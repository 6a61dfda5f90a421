"""Killing a retention run at points chosen by its own progress, not by the clock.

A run records each batch in its row here (``retention_retentionrun.progress``) while it changes the library
system. The tests wait for that real sign of progress — a few more batches recorded since the process
started — then SIGKILL the process at once or a moment later, so kills land between batches and inside
them whatever the machine's speed, and the number of kills never depends on it.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from urllib.parse import urlsplit

import psycopg

QUERY = ("SELECT r.progress FROM retention_retentionrun r JOIN records_connection c ON c.id = r.connection_id "
         "WHERE c.name = {p} AND NOT r.dry_run ORDER BY r.id LIMIT 1")


def run_progress(database_url: str, connection: str) -> str | None:
    """The progress the first real run of ``connection`` has recorded, as stored (None before there is one)."""
    if database_url.startswith("sqlite:"):
        path = urlsplit(database_url).path
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
                row = db.execute(QUERY.format(p="?"), (connection,)).fetchone()
        except sqlite3.OperationalError:  # not there yet, or busy for longer than the timeout
            return None
    else:
        with psycopg.connect(database_url, autocommit=True) as db:
            row = db.execute(QUERY.format(p="%s"), (connection,)).fetchone()
    return None if row is None else str(row[0])


def kill_as_it_goes(command: list[str], env: dict, *, database_url: str, connection: str, kills: int,
                    rng: random.Random, timeout: float = 120) -> int:
    """Start the run ``kills`` times, each time SIGKILLing it once it has recorded 0 to 3 more batches (0: while
    it starts or resumes). Returns how many of the runs finished before their kill (none, unless the library
    is smaller than the kills need)."""
    finished = 0
    for _ in range(kills):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wanted, seen = rng.randint(0, 3), 0
        last, deadline = run_progress(database_url, connection), time.monotonic() + timeout
        if wanted == 0:
            time.sleep(rng.uniform(0.0, 0.5))
        while seen < wanted and process.poll() is None:
            assert time.monotonic() < deadline, "the run recorded no progress"
            now = run_progress(database_url, connection)
            if now is not None and now != last:
                seen, last = seen + 1, now
            time.sleep(0.005)
        time.sleep(rng.choice([0.0, rng.uniform(0.0, 0.03)]))  # between batches, or inside the next one
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        if process.wait(timeout=60) == 0:
            finished += 1
    return finished
