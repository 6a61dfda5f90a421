"""The audit-trail benchmark: chained appends against plain INSERTs, verification against a plain read.

Each database engine runs in its own process on a scratch database
(:mod:`closedstacks.bench.audit_run`); this module starts them and gathers
their figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from closedstacks.bench.databases import scratch_database


def run(*, entries: int, engines: list[str], postgres_url: str, progress: bool) -> dict:
    figures = {"entries": entries, "databases": {}}
    for engine in engines:
        with scratch_database(engine, postgres_url) as url, tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "CLOSEDSTACKS_DATABASE_URL": url, "CLOSEDSTACKS_DATA_DIR": data_dir,
                   "CLOSEDSTACKS_DEMO": "false", "CLOSEDSTACKS_LOG_LEVEL": "WARNING"}
            command = [sys.executable, "-m", "closedstacks.bench.audit_run", str(entries)]
            if progress:
                command.append("--progress")
            done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"the {engine} benchmark failed (exit {done.returncode})")
            figures["databases"][engine] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["append_vs_insert"] = {e: d["append_vs_insert"] for e, d in figures["databases"].items()}
    figures["verify_vs_read"] = {e: d["verify_vs_read"] for e, d in figures["databases"].items()}
    return figures
