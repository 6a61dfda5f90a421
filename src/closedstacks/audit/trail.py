"""Writing to the audit trail: :func:`record` is the only way in.

``record`` must run inside the transaction of the change it records, so the
change and its entry commit together or not at all. Appends are serialized
(an advisory lock on PostgreSQL; SQLite's write lock, taken at BEGIN), so two
writers can never fork or gap the chain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from closedstacks.audit import anchor, signing
from closedstacks.audit.chain import (
    ACTION_PATTERN,
    GENESIS,
    OBJECT_ID,
    OBJECT_TYPE,
    AuditError,
    canonical_json,
    canonical_time,
    check_text,
    entry_hash,
)
from closedstacks.audit.models import AuditCheckpoint, AuditEntry

SYSTEM = "system"
_PG_LOCK_KEY = 0x436C5374  # "ClSt"


def cli_actor() -> str:
    """The label for an operator acting from the command line."""
    import getpass

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"cli:{name}"


def reference(obj) -> tuple[str, str]:
    """``(type, id)`` for an object: never a name, only a reference."""
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        kind, ident = obj
    else:
        kind = getattr(obj, "audit_type", None)
        if kind is None:
            raise AuditError(f"{type(obj).__name__} has no audit_type; pass (type, id) instead")
        ident = obj.pk
    if ident is None:
        raise AuditError("cannot audit an object that has not been saved")
    kind, ident = str(kind), str(ident)
    if not OBJECT_TYPE.match(kind) or not OBJECT_ID.match(ident):
        raise AuditError("an audited object is a reference such as ('matter', 17): a lowercase type and an id "
                         "of letters, digits and ._:- only")
    return kind, ident


def _actor(actor) -> tuple[int | None, str]:
    if actor is None:
        return None, SYSTEM
    if isinstance(actor, str):
        return None, check_text("actor", actor)
    if not getattr(actor, "is_authenticated", False):
        return None, SYSTEM
    return actor.pk, check_text("actor", actor.get_username())


def matter_of(obj) -> int | None:
    """The matter an audited object belongs to: a matter itself, or anything that says ``audit_matter_id``
    or points at one with ``matter_id``."""
    if obj is None or isinstance(obj, tuple):
        return None
    if getattr(obj, "audit_type", None) == "matter":
        return obj.pk
    found = getattr(obj, "audit_matter_id", None)
    return found if found is not None else getattr(obj, "matter_id", None)


_HEAD = "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1"
_INSERT = (
    "INSERT INTO audit_entry (seq, at, actor_id, actor_label, action, object_type, object_id, details, "
    "prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_ABOUT = "INSERT INTO audit_entry_matter (seq, matter_id) VALUES (%s, %s)"


def _locked_head(cursor) -> tuple[int, str] | None:
    """Take the chain's lock for this transaction, then read its head."""
    if connection.vendor == "postgresql":
        # One round trip, two statements: under READ COMMITTED the second
        # takes its snapshot after the first has the lock, so it sees the
        # head that the previous holder committed.
        cursor.execute(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY}); {_HEAD}")
        cursor.cursor.nextset()
    else:
        # SQLite: the connection began its transaction IMMEDIATE, so it
        # already holds the database's single write lock.
        cursor.execute(_HEAD)
    return cursor.fetchone()


def record(action: str, *, actor=None, obj=None, details: dict | None = None, matter=None) -> AuditEntry:
    """Append one entry. Call it inside ``transaction.atomic()``, after the change.

    ``matter`` (a matter or its id) says which matter the entry is about when ``obj`` does not (see
    :func:`matter_of`): while that matter is sealed, people not named on it see the entry only as a number."""
    if not connection.in_atomic_block:
        raise AuditError("audit.record() must run inside the transaction of the change it records")
    if not ACTION_PATTERN.match(action):
        raise AuditError(f"audit action {action!r} is not a dotted name such as 'account.role_granted'")
    object_type, object_id = reference(obj)
    actor_id, actor_label = _actor(actor)
    details_text = canonical_json(details or {})

    # Hand-written SQL: this runs for every action in the system, and the ORM's
    # query building would cost more than the chaining itself.
    with connection.cursor() as cursor:
        head = _locked_head(cursor)
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        at = timezone.now()
        at_text = canonical_time(at)
        digest = entry_hash(seq, at_text, actor_id, actor_label, action, object_type, object_id, details_text, prev)
        stored_at = at_text if connection.vendor == "sqlite" else at
        cursor.execute(_INSERT, [seq, stored_at, actor_id, actor_label, action, object_type, object_id,
                                 details_text, prev, digest])
        about = getattr(matter, "pk", matter) if matter is not None else matter_of(obj)
        if about is not None:
            cursor.execute(_ABOUT, [seq, about])
    if seq % settings.AUDIT_CHECKPOINT_INTERVAL == 0:
        _sign(seq, digest)
    entry = AuditEntry(seq=seq, at=at, actor_id=actor_id, actor_label=actor_label, action=action,
                       object_type=object_type, object_id=object_id, details=details_text, prev_hash=prev,
                       hash=digest)
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def _sign(seq: int, head_hash: str) -> AuditCheckpoint:
    now = timezone.now()
    checkpoint = AuditCheckpoint.objects.create(
        seq=seq,
        entry_hash=head_hash,
        signed_at=now,
        key_id=signing.key_id(),
        signature=signing.sign(seq, head_hash, canonical_time(now)),
    )
    transaction.on_commit(lambda: anchor.append(checkpoint))
    return checkpoint


def checkpoint() -> AuditCheckpoint | None:
    """Sign the current head now (``closedstacks audit checkpoint``).

    Returns ``None`` when the trail is empty or its head is already signed.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        head = _locked_head(cursor)
        if head is None or AuditCheckpoint.objects.filter(seq=head[0]).exists():
            return None
        return _sign(*head)
