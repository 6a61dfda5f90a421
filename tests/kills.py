"""Killing a retention run at points chosen by its own progress, not by the clock.

A run records its batches in its row here (``retention_retentionrun.progress``: per step, the cursor, the
step's last key, whether it is done) while it changes the library system. The tests pick points spread over
the whole run (a fraction of it, every step counting alike), wait until the run's own record says it got
there, then SIGKILL it at once or a moment later, so kills land between batches and inside them, in every
step, whatever the machine's speed; now and then a start is killed before it does anything at all.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg

QUERY = ("SELECT r.progress FROM retention_retentionrun r JOIN records_connection c ON c.id = r.connection_id "
         "WHERE c.name = {p} AND NOT r.dry_run ORDER BY r.id LIMIT 1")


def run_progress(database_url: str, connection: str) -> dict | None:
    """The progress the first real run of ``connection`` has recorded (None before there is one)."""
    if database_url.startswith("sqlite:"):
        path = database_url.split(":///", 1)[1]  # sqlite:////abs/path → /abs/path
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
                row = db.execute(QUERY.format(p="?"), (connection,)).fetchone()
        except sqlite3.OperationalError as exc:  # busy for longer than the timeout: look again
            if "no such table" in str(exc):
                raise
            return None
    else:
        with psycopg.connect(database_url, autocommit=True) as db:
            row = db.execute(QUERY.format(p="%s"), (connection,)).fetchone()
    if row is None:
        return None
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


def done_fraction(progress: dict | None) -> float:
    """How much of the run is done, from 0 to 1, each step counting alike."""
    if not progress:
        return 0.0
    parts = [1.0 if step.get("done") else (step.get("cursor") or 0) / step["last"] if step.get("last") else 0.0
             for step in progress.values()]
    return sum(parts) / len(parts)


def kill_at_points(command: list[str], env: dict, *, database_url: str, connection: str, points: list[float],
                   rng: random.Random, timeout: float = 300) -> int:
    """Start the run again and again, SIGKILLing it when its record shows it passed each point in turn (and
    sometimes once more while it starts). Returns how many starts finished before their kill: none, when the
    points lie inside the run."""
    finished = 0

    def start():
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill(process) -> None:
        nonlocal finished
        time.sleep(rng.choice([0.0, rng.uniform(0.0, 0.03)]))  # between batches, or inside the next one
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        if process.wait(timeout=60) == 0:
            finished += 1

    for point in sorted(points):
        if rng.random() < 0.25:  # while Django starts, or the run resumes its pending batch
            process = start()
            time.sleep(rng.uniform(0.0, 0.5))
            kill(process)
        process, deadline = start(), time.monotonic() + timeout
        while process.poll() is None and done_fraction(run_progress(database_url, connection)) < point:
            assert time.monotonic() < deadline, f"the run did not get to {point:.0%} of its way"
            time.sleep(0.005)
        kill(process)
    return finished


def killed_then_finished(env: dict, *, database_url: str, connection: str, batch: int, kills: int, seed: int) -> None:
    """``closedstacks retention run`` of ``connection`` killed at ``kills`` points spread over the run (and
    every start killed: the points lie inside it), then run once more to its end."""
    command = [str(Path(sys.executable).parent / "closedstacks"), "retention", "run", "--connection", connection,
               "--batch", str(batch)]
    rng = random.Random(seed)
    finished = kill_at_points(command, env, database_url=database_url, connection=connection, rng=rng,
                              points=[rng.uniform(0.02, 0.95) for _ in range(kills)])
    assert finished == 0, "a start finished before its kill"
    last = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert last.returncode == 0, last.stderr

