"""The matters benchmark: queue pages and the matter page against a trivial page, with many matters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from closedstacks.bench.databases import scratch_database


def run(*, matters: int, entries: int, engines: list[str], postgres_url: str) -> dict:
    figures = {"matters": matters, "audit_entries": entries, "databases": {}}
    for engine in engines:
        with scratch_database(engine, postgres_url) as url, tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "CLOSEDSTACKS_DATABASE_URL": url, "CLOSEDSTACKS_DATA_DIR": data_dir,
                   "CLOSEDSTACKS_DEMO": "false", "CLOSEDSTACKS_LOG_LEVEL": "WARNING",
                   "CLOSEDSTACKS_AUDIT_CHECKPOINT_INTERVAL": str(10 ** 9)}
            done = subprocess.run([sys.executable, "-m", "closedstacks.bench.matters_run", str(matters),
                                   str(entries)], env=env, stdout=subprocess.PIPE, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"the {engine} benchmark failed (exit {done.returncode})")
            figures["databases"][engine] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["page_vs_trivial_max"] = max(d["page_vs_trivial_max"] for d in figures["databases"].values())
    return figures
