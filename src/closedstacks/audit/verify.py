"""Verifying the audit trail: every link, every hash, every signed checkpoint.

:func:`verify` streams the table once with a plain cursor and reports the
first bad entry and what is wrong with it. It detects a changed field, a
deleted, inserted or moved entry, a tail cut off behind a checkpoint, and a
chain recomputed without the signing key (its checkpoints no longer match, or
are missing where one is made every ``AUDIT_CHECKPOINT_INTERVAL`` entries).
"""

from __future__ import annotations

import gc
import hashlib
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import connection

from closedstacks.audit import anchor, signing
from closedstacks.audit.chain import GENESIS, SEPARATOR, canonical_time
from closedstacks.audit.models import AuditCheckpoint

COLUMNS = "seq, at, actor_id, actor_label, action, object_type, object_id, details, prev_hash, hash"
SELECT_ALL = f"SELECT {COLUMNS} FROM audit_entry ORDER BY seq"  # noqa: S608 - constant
# On SQLite the hashed text is joined by SQLite itself, in this process (``at``
# is stored exactly in its canonical form; char(31) is the separator), and
# handed over as UTF-8 bytes, ready to hash.
SELECT_SQLITE = (
    "SELECT seq, prev_hash, hash, CAST(seq || char(31) || at || char(31) || ifnull(actor_id, '') || char(31) || "
    "actor_label || char(31) || action || char(31) || object_type || char(31) || object_id || char(31) || "
    "details || char(31) || prev_hash AS BLOB) FROM audit_entry ORDER BY seq"
)
CHUNK = 5000


@dataclass
class Problem:
    seq: int
    kind: str
    message: str


@dataclass
class Verification:
    ok: bool
    entries: int = 0
    last_seq: int = 0
    head_hash: str = GENESIS
    checkpoints: int = 0
    last_checkpoint: int | None = None
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.ok:
            signed = f", signed through entry {self.last_checkpoint}" if self.last_checkpoint else ""
            return f"{self.entries} entries verified{signed}"
        return f"entry {self.problem.seq}: {self.problem.message}"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["summary"] = self.summary()
        return data


@dataclass(frozen=True)
class _Checkpoint:
    seq: int
    entry_hash: str
    signed_at: str
    key_id: str
    signature: str
    outside_only: bool = False  # known from the anchor file but absent from the database


def _checkpoints() -> tuple[dict[int, _Checkpoint], list[Problem], list[str]]:
    found: dict[int, _Checkpoint] = {}
    problems: list[Problem] = []
    for row in AuditCheckpoint.objects.order_by("seq").values_list(
        "seq", "entry_hash", "signed_at", "key_id", "signature"
    ):
        found[row[0]] = _Checkpoint(row[0], row[1], canonical_time(row[2]), row[3], row[4])
    anchored, unreadable = anchor.read()
    notes = [f"anchor file line {n} could not be read" for n in unreadable]
    for cp in anchored:
        known = found.get(cp.seq)
        if known is None:
            found[cp.seq] = _Checkpoint(cp.seq, cp.entry_hash, cp.signed_at, cp.key_id, cp.signature, True)
        elif (known.entry_hash, known.signature) != (cp.entry_hash, cp.signature):
            problems.append(Problem(cp.seq, "checkpoint-altered",
                                    "the checkpoint stored in the database differs from the copy kept outside it"))
    for cp in found.values():
        if not signing.is_valid(cp.seq, cp.entry_hash, cp.signed_at, cp.signature):
            problems.append(Problem(cp.seq, "forged-checkpoint",
                                    "its checkpoint has an invalid signature: it was not made with this "
                                    "installation's audit key"))
        elif cp.outside_only:
            problems.append(Problem(cp.seq, "checkpoint-deleted",
                                    "its checkpoint, kept outside the database, is missing from the database"))
    return found, problems, notes


def _postgres_time(text: str) -> str:
    """``2026-11-28 13:16:11.1234+00`` (UTC, zeros trimmed) to the canonical form."""
    if len(text) == 29:
        return text[:26]
    stamp, _, offset = text.rpartition("+")
    if offset != "00":
        raise ValueError(f"audit time not in UTC: {text}")
    whole, _, fraction = stamp.partition(".")
    return f"{whole}.{fraction.ljust(6, '0')}"


def _postgres_rows(chunk):
    """Full rows (``at`` as PostgreSQL's text) to ``(seq, prev_hash, hash, hashed bytes)``.

    The text is joined here, not by the server, so that nothing the database
    could redefine takes part in checking it.
    """
    join = SEPARATOR.join
    return [
        (seq, prev, stored, join((str(seq), _postgres_time(at), "" if actor_id is None else str(actor_id),
                                  actor_label, action, otype, oid, details, prev)).encode())
        for seq, at, actor_id, actor_label, action, otype, oid, details, prev, stored in chunk
    ]


def _open_reader(cursor):
    """Run the verification query on ``cursor``; return what turns a fetched chunk into
    ``(seq, prev_hash, hash, hashed bytes)`` rows."""
    if connection.vendor == "postgresql":
        from psycopg.types.string import TextLoader

        with connection.cursor() as settings_cursor:
            settings_cursor.execute("SET TIME ZONE 'UTC'")
            settings_cursor.execute("SET datestyle TO ISO")
        raw = cursor.cursor
        raw.adapters.register_loader("timestamptz", TextLoader)
        raw.execute(SELECT_ALL)
        return _postgres_rows
    cursor.execute(SELECT_SQLITE)
    return None


def _diagnose(row, expected, prev_hash, prev_prev_hash, next_row) -> Problem:
    seq, prev, stored, payload = row
    if seq != expected:
        return Problem(expected, "missing",
                       f"it is missing: the trail goes from entry {expected - 1} to entry {seq}")
    if prev != prev_hash:
        if prev_prev_hash is not None and prev == prev_prev_hash:
            return Problem(seq - 1, "inserted",
                           f"it was inserted: entry {seq} links to entry {seq - 2}, not to it")
        if next_row is not None and next_row[2] == prev:
            return Problem(seq, "reordered", f"it is out of order: it links to entry {seq + 1}, which follows it")
        return Problem(seq, "broken-link",
                       f"it does not link to entry {seq - 1}: an entry was inserted, removed or moved here")
    return Problem(seq, "changed", "it was changed: its contents do not match its hash")


def _rewritten(seq: int, cp: _Checkpoint) -> Problem:
    return Problem(seq, "rewritten",
                   f"it does not match the checkpoint signed at {cp.signed_at}: the trail up to here was "
                   "rewritten and its hashes recomputed")


def _scan(checkpoints: dict, first_problem: Problem | None) -> tuple[int, str, Problem | None, bool]:
    """Walk the whole table once. Return (entries read, head hash, first problem, reached the end)."""
    sha256 = hashlib.sha256
    cp_at = checkpoints.get
    expected, prev_hash, prev_prev_hash = 1, GENESIS, None
    stop_at = first_problem.seq if first_problem else None
    with connection.chunked_cursor() as cursor:
        normalize = _open_reader(cursor)
        fetch = (lambda: normalize(cursor.fetchmany(CHUNK))) if normalize else (lambda: cursor.fetchmany(CHUNK))
        rows = fetch()
        while rows:
            following = fetch()
            for index, row in enumerate(rows):
                seq, prev, stored, payload = row
                if stop_at is not None and seq >= stop_at:
                    return expected - 1, prev_hash, first_problem, False
                problem = None
                if seq != expected or prev != prev_hash or sha256(payload).hexdigest() != stored:
                    next_row = rows[index + 1] if index + 1 < len(rows) else (following[0] if following else None)
                    problem = _diagnose(row, expected, prev_hash, prev_prev_hash, next_row)
                elif (cp := cp_at(seq)) is not None and cp.entry_hash != stored:
                    problem = _rewritten(seq, cp)
                if problem is not None:
                    if first_problem is None or problem.seq < first_problem.seq:
                        first_problem = problem
                    return expected - 1, prev_hash, first_problem, False
                prev_prev_hash, prev_hash = prev_hash, stored
                expected += 1
            rows = following
    return expected - 1, prev_hash, first_problem, True


def verify() -> Verification:
    checkpoints, problems, notes = _checkpoints()
    result = Verification(ok=True, checkpoints=len(checkpoints), notes=notes)
    bad_checkpoints = {p.seq for p in problems if p.kind == "forged-checkpoint"}
    valid_seqs = sorted(seq for seq in checkpoints if seq not in bad_checkpoints)
    first_problem = min(problems, key=lambda p: p.seq) if problems else None

    connection.ensure_connection()
    # The scan makes millions of short-lived, acyclic objects: the cyclic
    # garbage collector would only walk them over and over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        last_seq, head_hash, first_problem, reached_end = _scan(checkpoints, first_problem)
    finally:
        if collecting:
            gc.enable()

    result.entries = result.last_seq = last_seq
    result.head_hash = head_hash
    if reached_end:
        # Is the end of the table where the signed checkpoints say it must be?
        tail = _tail_problem(last_seq, valid_seqs)
        if tail is not None and (first_problem is None or tail.seq < first_problem.seq):
            first_problem = tail
    covered = [seq for seq in valid_seqs if seq <= last_seq]
    result.last_checkpoint = covered[-1] if covered else None
    if first_problem is not None:
        result.ok = False
        result.problem = first_problem
    return result


def _tail_problem(last_seq: int, valid_seqs: list[int]) -> Problem | None:
    if valid_seqs and valid_seqs[-1] > last_seq:
        return Problem(last_seq + 1, "truncated",
                       f"it is missing, and so is every entry after it: a checkpoint was signed at entry "
                       f"{valid_seqs[-1]} but the trail ends at entry {last_seq}")
    interval = settings.AUDIT_CHECKPOINT_INTERVAL
    due = (last_seq // interval) * interval
    signed = valid_seqs[-1] if valid_seqs else 0
    if due > signed:
        return Problem(due, "unsigned",
                       f"it has no signed checkpoint, though one is made every {interval} entries: checkpoints "
                       "were removed, or the trail was rebuilt without the audit key")
    return None


VERIFIED = "audit.verified"


def verify_and_record(*, actor=None) -> Verification:
    """Verify the whole trail and put the result on the trail itself."""
    from django.db import transaction

    from closedstacks.audit.trail import record

    result = verify()
    with transaction.atomic():
        record(VERIFIED, actor=actor, details={
            "ok": result.ok,
            "entries": result.entries,
            "last_checkpoint": result.last_checkpoint,
            "problem_seq": result.problem.seq if result.problem else None,
            "problem_kind": result.problem.kind if result.problem else None,
        })
    return result

