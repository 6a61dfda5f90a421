"""Two people saving a new policy version, or a new version of a training module, at the same moment: the second
waits for the first and gets the next number, instead of colliding on it (a server error).

The race is made, not hoped for: the first writer holds its transaction open after writing; the test waits
until PostgreSQL reports the second one waiting on a lock, then lets the first commit. (SQLite takes the
whole database for each writing transaction, so only PostgreSQL can race here.)
"""

from __future__ import annotations

import subprocess
import sys
import time

import psycopg
import pytest

from closedstacks.bench.databases import POSTGRES_URL, scratch_database
from tests.conftest import cli_env, closedstacks, python_in
from tests.ils import require_server

pytestmark = pytest.mark.slow  # racing processes

PRELUDE = ("import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'closedstacks.conf.settings'); "
           "django.setup()\nfrom django.db import transaction\nfrom closedstacks.accounts.models import User\n"
           "officer = User.objects.get(username='officer')\n")

WRITERS = {
    "policy": "from closedstacks.library.services import new_policy_version as write\n"
              "def made(): return write(title='Policy', text='Text', by=officer)\n",
    "module": "from closedstacks.training.models import Module\nfrom closedstacks.training import services\n"
              "from tests.test_training import content\nmodule = Module.objects.order_by('pk').first()\n"
              "def made(): return services.new_version(module, content(), by=officer)\n",
}

FIRST = """
with transaction.atomic():
    print('holding', made().number, flush=True)
    sys.stdin.readline()  # the test says when to commit
"""

SECOND = """
print('made', made().number, flush=True)
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    require_server("postgresql")
    with scratch_database("postgresql", POSTGRES_URL) as url:
        env = cli_env(url, tmp_path_factory.mktemp("versions"))
        assert closedstacks("migrate", env=env).returncode == 0
        python_in("from tests.conftest import make_account\nmake_account('officer', 'officer')", env=env)
        yield url, env


def _waiting_on_a_lock(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock'").fetchone()[0]


@pytest.mark.parametrize("what", sorted(WRITERS))
def test_two_writers_at_once_get_consecutive_numbers(database, what):
    url, env = database
    code = PRELUDE + WRITERS[what]
    first = subprocess.Popen([sys.executable, "-c", code + FIRST], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = None
    try:
        held = first.stdout.readline().split()
        assert held[:1] == ["holding"], first.stderr.read()
        second = subprocess.Popen([sys.executable, "-c", code + SECOND], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not _waiting_on_a_lock(url):
            assert second.poll() is None, f"the second writer did not wait for the first: {second.communicate()}"
            assert time.monotonic() < deadline, "the second writer never started waiting"
            time.sleep(0.05)
        first.stdin.write("\n")
        first.stdin.flush()
        assert first.wait(timeout=60) == 0, first.stderr.read()
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert out.split() == ["made", str(int(held[1]) + 1)]
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
