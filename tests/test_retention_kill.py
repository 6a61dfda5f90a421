"""A retention run killed with SIGKILL at random points, again and again, and resumed, ends exactly where an
uninterrupted run of the same library ends — the same rows unlinked, and the same counts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from closedstacks.ils import generators
from closedstacks.ils.connectors.db import ConnectionSettings
from tests.conftest import cli_env, closedstacks, python_in
from tests.kills import killed_then_finished

KILLS = 12


def links(path: Path) -> tuple[list, list]:
    with sqlite3.connect(path) as db:
        return (db.execute("SELECT issue_id, borrowernumber FROM old_issues ORDER BY issue_id").fetchall(),
                db.execute("SELECT reserve_id, borrowernumber FROM old_reserves ORDER BY reserve_id").fetchall())


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

    killed_then_finished(env, database_url=scratch_url, connection="killed", batch=100, kills=KILLS, seed=2026)

    assert links(paths["killed"]) == links(paths["straight"]) != untouched
    straight, resumed = counts(env, "straight"), counts(env, "killed")
    assert resumed["status"] == straight["status"] == "done"
    assert resumed["progress"] == straight["progress"]
    again = closedstacks("retention", "run", "--connection", "killed", env=env, timeout=600)
    assert "unlinked 0" in again.stdout and links(paths["killed"]) == links(paths["straight"])
