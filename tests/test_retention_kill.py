"""A retention run killed with SIGKILL at random points, again and again, and resumed, ends exactly where an
uninterrupted run of the same library ends — the same rows unlinked, and the same counts."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from closedstacks.ils import generators
from closedstacks.ils.connectors.db import ConnectionSettings
from tests.conftest import cli_env, closedstacks, python_in

KILLS = 12


def links(path: Path) -> tuple[list, list]:
    with sqlite3.connect(path) as db:
        return (db.execute("SELECT issue_id, borrowernumber FROM old_issues ORDER BY issue_id").fetchall(),
                db.execute("SELECT reserve_id, borrowernumber FROM old_reserves ORDER BY reserve_id").fetchall())


def changed_since(path: Path, process: subprocess.Popen) -> None:
    """Wait until ``process`` commits a change to the library at ``path`` (or ends)."""
    before = path.stat().st_mtime_ns
    while process.poll() is None and path.stat().st_mtime_ns == before:
        time.sleep(0.01)


def counts(env: dict, name: str) -> dict:
    return json.loads(python_in(
        "import json\nfrom closedstacks.retention.models import RetentionRun as R\n"
        f"run = R.objects.filter(connection__name={name!r}).order_by('pk').first()\n"  # the first, resumed run
        "print(json.dumps({'status': run.status, 'progress': {k: {c: v.get(c) for c in ('unlinked', 'examined',"
        " 'kept_opt_in')} for k, v in run.progress.items()}}))", env=env))


def test_killed_at_random_and_resumed_it_ends_as_an_uninterrupted_run(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    paths = {}
    for name in ("straight", "killed"):
        paths[name] = tmp_path / f"{name}.sqlite3"
        generators.get("koha")(ConnectionSettings(driver="sqlite", database=str(paths[name])), users=400,
                                 loans=40_000, seed=8)
        added = closedstacks("connector", "add", name, "--kind", "koha", "--driver", "sqlite", "--database",
                             str(paths[name]), env=env)
        assert added.returncode == 0, added.stderr
    untouched = links(paths["killed"])
    assert links(paths["straight"]) == untouched

    done = closedstacks("retention", "run", "--connection", "straight", "--batch", "100", env=env, timeout=600)
    assert done.returncode == 0, done.stderr

    rng = random.Random(2026)
    command = [str(Path(sys.executable).parent / "closedstacks"), "retention", "run", "--connection", "killed",
               "--batch", "100"]
    killed = finished = 0
    for _ in range(KILLS):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if rng.random() < 0.25:
            time.sleep(rng.uniform(0.1, 1.0))  # while Django starts, or the run resumes
        else:  # while the run changes the library, however fast this machine is
            changed_since(paths["killed"], process)
            time.sleep(rng.uniform(0.0, 0.3))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=60)
        if process.returncode == 0:
            finished += 1
            break
    assert killed >= 3, "the run finished before it could be killed: make the library bigger"
    if not finished:
        last = closedstacks("retention", "run", "--connection", "killed", "--batch", "100", env=env, timeout=600)
        assert last.returncode == 0, last.stderr

    assert links(paths["killed"]) == links(paths["straight"]) != untouched
    straight, resumed = counts(env, "straight"), counts(env, "killed")
    assert resumed["status"] == straight["status"] == "done"
    assert resumed["progress"] == straight["progress"]
    again = closedstacks("retention", "run", "--connection", "killed", env=env, timeout=600)
    assert "unlinked 0" in again.stdout and links(paths["killed"]) == links(paths["straight"])
