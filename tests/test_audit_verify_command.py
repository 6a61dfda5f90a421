"""`closedstacks audit verify`, run as the command, against each kind of tampering.

Each case starts from the same trail of 12 entries (checkpoints signed at 5
and 10), written through record() in another process. The tamperer then
works on the database directly, dropping the append-only triggers first, as
someone holding the database's owner rights could.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from closedstacks.audit.chain import GENESIS, canonical_time, entry_hash
from closedstacks.bench.databases import scratch_database
from tests.conftest import cli_env, closedstacks, current_engine, postgres_server_url, python_in

pytestmark = pytest.mark.slow  # the command line against a database of its own

INTERVAL = 5
ENTRIES = 12

POPULATE = f"""
from django.db import transaction
from closedstacks.audit.trail import record
for n in range(1, {ENTRIES} + 1):
    with transaction.atomic():
        record("account.role_granted", actor="cli:root", obj=("account", n % 4 + 1),
               details={{"role": "officer", "n": n}})
"""


class RawTrail:
    """The audit tables as the tamperer sees them: plain SQL, no triggers."""

    def __init__(self, url: str):
        self.url = url
        self.sqlite = url.startswith("sqlite:")
        if self.sqlite:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        else:
            import psycopg

            self.conn = psycopg.connect(url)
        for table in ("audit_entry", "audit_checkpoint"):
            if self.sqlite:
                self.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                self.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            else:
                self.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")

    def execute(self, sql: str, params=()):
        if self.sqlite:
            sql = sql.replace("%s", "?")
        cursor = self.conn.cursor()
        cursor.execute(sql, params)
        return cursor

    def rows(self) -> list[list]:
        found = self.execute("SELECT seq, at, actor_id, actor_label, action, object_type, object_id, details, "
                             "prev_hash, hash FROM audit_entry ORDER BY seq").fetchall()
        return [[r[0], r[1] if isinstance(r[1], str) else canonical_time(r[1]), *r[2:]] for r in found]

    def insert(self, row: list) -> None:
        at = row[1] if self.sqlite else f"{row[1]}+00:00"
        self.execute("INSERT INTO audit_entry (seq, at, actor_id, actor_label, action, object_type, object_id, "
                     "details, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                     [row[0], at, *row[2:]])

    def rehash_from(self, seq: int) -> None:
        """Recompute every hash from ``seq`` on, as an attacker with the code but not the key can."""
        rows = self.rows()
        prev = GENESIS
        for row in rows:
            if row[0] >= seq:
                row[8] = prev
                row[9] = entry_hash(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], prev)
                self.execute("UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE seq = %s",
                             [row[8], row[9], row[0]])
            prev = row[9]

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()


@pytest.fixture(scope="module")
def golden(tmp_path_factory, django_db_setup, django_db_blocker):
    """A populated trail, kept to be copied for each case."""
    with django_db_blocker.unblock():
        engine = current_engine()
    data = tmp_path_factory.mktemp("golden-data")
    with scratch_database(engine, postgres_server_url()) as url:
        env = cli_env(url, data, CLOSEDSTACKS_AUDIT_CHECKPOINT_INTERVAL=INTERVAL)
        migrated = closedstacks("migrate", env=env)
        assert migrated.returncode == 0, migrated.stderr
        python_in(POPULATE, env=env)
        yield engine, url, data


@pytest.fixture
def trail(golden, tmp_path):
    """A fresh copy of the golden trail: (run verify, RawTrail for tampering, data dir)."""
    engine, url, data = golden
    copy_data = tmp_path / "data"
    shutil.copytree(data, copy_data)
    if engine == "sqlite":
        target = tmp_path / "copy.sqlite3"
        shutil.copy(url.removeprefix("sqlite:///"), target)
        copy_url = f"sqlite:///{target}"
        yield _Case(copy_url, copy_data)
    else:
        import psycopg
        from psycopg import sql

        name = f"{url.rsplit('/', 1)[1]}_{tmp_path.name[-8:].replace('-', '_')}".lower()
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(url.rsplit("/", 1)[1])))
        try:
            yield _Case(url.rsplit("/", 1)[0] + "/" + name, copy_data)
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class _Case:
    def __init__(self, url: str, data: Path):
        self.url, self.data = url, data

    def tamper(self) -> RawTrail:
        return RawTrail(self.url)

    def verify(self, *args: str, anchor: bool = True):
        extra = {"CLOSEDSTACKS_AUDIT_CHECKPOINT_INTERVAL": INTERVAL}
        if not anchor:
            extra["CLOSEDSTACKS_AUDIT_ANCHOR_FILE"] = ""
        return closedstacks("audit", "verify", "--no-record", *args, env=cli_env(self.url, self.data, **extra))


def test_an_intact_trail_verifies(trail):
    done = trail.verify()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == f"{ENTRIES} entries verified, signed through entry 10"


def test_json_output_for_machines(trail):
    done = trail.verify("--json")
    data = json.loads(done.stdout)
    assert done.returncode == 0
    assert data["ok"] is True and data["entries"] == ENTRIES and data["last_checkpoint"] == 10
    assert len(data["head_hash"]) == 64 and data["problem"] is None


def test_verifying_puts_the_result_on_the_trail(trail):
    env = cli_env(trail.url, trail.data, CLOSEDSTACKS_AUDIT_CHECKPOINT_INTERVAL=INTERVAL)
    assert closedstacks("audit", "verify", env=env).returncode == 0
    last = python_in("from closedstacks.audit.models import AuditEntry as E\n"
                     "e = E.objects.latest('seq'); print(e.action, e.actor_label, e.details)", env=env)
    assert last.startswith("audit.verified cli:")
    assert '"ok":true' in last and f'"entries":{ENTRIES}' in last


def _fails(done, seq: int, words: str, kind: str, case) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith(f"entry {seq}: "), done.stdout
    assert words in done.stdout, done.stdout
    as_json = json.loads(case.verify("--json").stdout)
    assert as_json["ok"] is False and as_json["problem"]["seq"] == seq and as_json["problem"]["kind"] == kind


def test_a_changed_field_is_detected(trail):
    raw = trail.tamper()
    raw.execute("UPDATE audit_entry SET details = %s WHERE seq = 3", ['{"n":3,"role":"director"}'])
    raw.close()
    _fails(trail.verify(), 3, "it was changed", "changed", trail)


def test_a_changed_actor_is_detected(trail):
    raw = trail.tamper()
    raw.execute("UPDATE audit_entry SET actor_label = 'cli:someone-else' WHERE seq = 8")
    raw.close()
    _fails(trail.verify(), 8, "it was changed", "changed", trail)


def test_a_deleted_entry_is_detected(trail):
    raw = trail.tamper()
    raw.execute("DELETE FROM audit_entry WHERE seq = 4")
    raw.close()
    _fails(trail.verify(), 4, "it is missing", "missing", trail)


def test_an_inserted_entry_is_detected(trail):
    raw = trail.tamper()
    rows = raw.rows()
    for row in reversed(rows[5:]):  # make room at 6
        raw.execute("UPDATE audit_entry SET seq = seq + 1 WHERE seq = %s", [row[0]])
    forged = list(rows[5])
    forged[7] = '{"n":99,"role":"admin"}'
    forged[8] = rows[4][9]  # links properly to entry 5
    forged[9] = entry_hash(*forged[:9])
    raw.insert(forged)
    raw.close()
    _fails(trail.verify(), 6, "it was inserted", "inserted", trail)


def test_reordered_entries_are_detected(trail):
    raw = trail.tamper()
    rows = raw.rows()
    raw.execute("UPDATE audit_entry SET seq = -7 WHERE seq = 7")
    raw.execute("UPDATE audit_entry SET seq = 7 WHERE seq = 8")
    raw.execute("UPDATE audit_entry SET seq = 8 WHERE seq = -7")
    raw.close()
    assert rows[6][9] != rows[7][9]
    _fails(trail.verify(), 7, "out of order", "reordered", trail)


def test_a_tail_cut_off_behind_the_last_checkpoint_is_detected(trail):
    raw = trail.tamper()
    raw.execute("DELETE FROM audit_entry WHERE seq >= 9")
    raw.close()
    _fails(trail.verify(), 9, "a checkpoint was signed at entry 10 but the trail ends at entry 8", "truncated",
           trail)


def test_a_tail_cut_off_with_its_checkpoints_is_caught_by_the_copy_outside_the_database(trail):
    raw = trail.tamper()
    raw.execute("DELETE FROM audit_entry WHERE seq >= 9")
    raw.execute("DELETE FROM audit_checkpoint WHERE seq >= 9")
    raw.close()
    _fails(trail.verify(), 9, "a checkpoint was signed at entry 10", "truncated", trail)
    # Without the anchor file only the checkpoints in the database are left to compare.
    assert trail.verify(anchor=False).returncode == 0


def test_a_chain_recomputed_without_the_key_is_detected(trail):
    raw = trail.tamper()
    raw.execute("UPDATE audit_entry SET details = %s WHERE seq = 3", ['{"n":3,"role":"director"}'])
    raw.rehash_from(3)
    raw.close()
    _fails(trail.verify(), 5, "rewritten and its hashes recomputed", "rewritten", trail)


def test_a_recomputed_chain_with_its_checkpoints_removed_is_detected(trail):
    raw = trail.tamper()
    raw.execute("UPDATE audit_entry SET details = %s WHERE seq = 3", ['{"n":3,"role":"director"}'])
    raw.rehash_from(3)
    raw.execute("DELETE FROM audit_checkpoint")
    raw.close()
    (trail.data / "audit-anchor.log").unlink()
    _fails(trail.verify(), 10, "has no signed checkpoint", "unsigned", trail)


def test_checkpoints_signed_with_another_key_are_detected(trail):
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = trail.tamper()
    raw.execute("UPDATE audit_entry SET details = %s WHERE seq = 3", ['{"n":3,"role":"director"}'])
    raw.rehash_from(3)
    forger = Ed25519PrivateKey.generate()
    for seq, entry_hash_, signed_at in raw.execute(
            "SELECT c.seq, e.hash, c.signed_at FROM audit_checkpoint c JOIN audit_entry e ON e.seq = c.seq").fetchall():
        stamp = signed_at if isinstance(signed_at, str) else canonical_time(signed_at)
        payload = f"closedstacks-audit-checkpoint/1\n{seq}\n{entry_hash_}\n{stamp}".encode()
        signature = base64.b64encode(forger.sign(payload)).decode()
        raw.execute("UPDATE audit_checkpoint SET entry_hash = %s, signature = %s WHERE seq = %s",
                    [entry_hash_, signature, seq])
    raw.close()
    (trail.data / "audit-anchor.log").unlink()
    _fails(trail.verify(), 5, "invalid signature", "forged-checkpoint", trail)


def test_record_outside_a_transaction_is_refused(trail):
    env = cli_env(trail.url, trail.data)
    out = python_in(
        "from closedstacks.audit.trail import record\nfrom closedstacks.audit.chain import AuditError\n"
        "try:\n    record('account.created', actor='cli:root')\nexcept AuditError as e:\n    print('refused:', e)\n",
        env=env)
    assert out.startswith("refused: audit.record() must run inside the transaction")
