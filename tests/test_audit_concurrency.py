"""Parallel writers never fork or gap the chain.

Several processes append at once to one database (on PostgreSQL in the
PostgreSQL run, on SQLite in the SQLite run); afterwards the sequence has no
gap, no number twice, and `closedstacks audit verify` passes.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import cli_env, closedstacks, go_together, python_in

WRITERS = 4
EACH = 150

WRITE = """
import sys, time
from django.db import transaction
from closedstacks.audit.trail import record
print('ready', flush=True)
sys.stdin.readline()  # all writers begin together, once every one has started
for n in range({each}):
    with transaction.atomic():
        record("matter.record_viewed", actor="cli:writer{writer}", obj=("matter", n), details={{"n": n}})
    time.sleep(0.002)  # let the others in between commits, however busy the machine (they must contend)
"""

PRELUDE = ("import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'closedstacks.conf.settings'); "
           "django.setup()\n")


def test_parallel_writers_keep_the_chain_whole(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path, CLOSEDSTACKS_AUDIT_CHECKPOINT_INTERVAL=50)
    assert closedstacks("migrate", env=env).returncode == 0
    writers = [
        subprocess.Popen([sys.executable, "-c", PRELUDE + WRITE.format(each=EACH, writer=w)], env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in range(WRITERS)
    ]
    go_together(writers)
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err

    total = WRITERS * EACH
    seqs = python_in("from closedstacks.audit.models import AuditEntry as E\n"
                     "print(list(E.objects.order_by('seq').values_list('seq', flat=True)))", env=env)
    assert eval(seqs) == list(range(1, total + 1))  # noqa: S307 - our own output
    # The writers really interleaved: no writer's entries form one unbroken run.
    actors = python_in("from closedstacks.audit.models import AuditEntry as E\n"
                       "print(''.join(a[-1] for a in E.objects.order_by('seq').values_list('actor_label', flat=True)))",
                       env=env).strip()
    assert sum(1 for a, b in zip(actors, actors[1:]) if a != b) > WRITERS

    done = closedstacks("audit", "verify", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"{total} entries verified, signed through entry {total}")
