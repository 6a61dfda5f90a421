"""Two people acting on the same matter at the same moment: one wins, the other is told why.

Both processes saw the same version of the matter; they move at once. The
row lock and the version check let exactly one through.
"""

from __future__ import annotations

from tests.conftest import cli_env, closedstacks, python_in, race

SETUP = """
from tests.conftest import make_account
from tests.procedure import matter_at, set_officer
accounts = {r: make_account(r, r) for r in ['staff', 'officer', 'director', 'counsel', 'custodian']}
set_officer(accounts['officer'])
m = matter_at('received', accounts)
print(m.pk, m.version)
"""

RACE = """
import sys
from closedstacks.accounts.models import User
from closedstacks.matters.procedure import perform, StaleMatter
pk, version, who = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
person = User.objects.get(username=who)
print('ready', flush=True)
sys.stdin.readline()  # both go together, once both are ready
try:
    if who == 'director':
        perform(pk, 'assign_counsel', by=person, version=version, counsel=User.objects.get(username='counsel'))
    else:
        perform(pk, 'withdraw', by=person, version=version, reason='They gave up.')
    print('won')
except StaleMatter as exc:
    print('lost:', exc)
"""


def test_two_people_at_once_cannot_both_win(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    pk, version = python_in(SETUP, env=env).split()
    outcomes = race(RACE, [[pk, version, who] for who in ("director", "officer")], env=env)
    assert sorted(o.split(":")[0] for o in outcomes) == ["lost", "won"]
    assert any("someone else changed this matter" in o for o in outcomes)
    state = python_in(f"from closedstacks.matters.models import Matter\nm = Matter.objects.get(pk={pk})\n"
                      "print(m.state, m.version, m.events.exclude(to_state='').count())", env=env).split()
    assert state[0] in ("in_review", "withdrawn") and int(state[1]) == int(version) + 1
