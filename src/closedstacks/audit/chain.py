"""How an audit entry is hashed.

An entry's hash is SHA-256 over its fields joined by the ASCII unit separator
(0x1F), in this order::

    seq, at, actor_id, actor_label, action, object_type, object_id, details, prev_hash

where ``at`` is the UTC time as ``YYYY-MM-DD HH:MM:SS.ffffff``, ``actor_id`` is
empty for no account, and ``details`` is canonical JSON (sorted keys, no
spaces, ASCII only). No field may contain a control character (JSON escapes
them), so the encoding is unambiguous. The first entry's ``prev_hash`` is
:data:`GENESIS`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

GENESIS = "0" * 64
SEPARATOR = "\x1f"
ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# An object is named by a reference: a type such as "matter" and an id such as
# "17" or "a1b2-c3". Spaces are refused, which keeps a person's name out.
OBJECT_TYPE = re.compile(r"^[a-z][a-z_]{0,49}$")
OBJECT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
UTC = dt.timezone.utc


class AuditError(Exception):
    """An audit entry could not be written as asked."""


def canonical_json(details: dict) -> str:
    if not isinstance(details, dict):
        raise AuditError("audit details must be a JSON object")
    try:
        return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise AuditError(f"audit details are not plain JSON: {exc}") from None


def canonical_time(moment: dt.datetime) -> str:
    """UTC, microsecond precision, no offset: the form hashed for ``at``.

    It is also exactly how SQLite stores ``at``, and what PostgreSQL prints
    for it in UTC with the trailing zeros of the fraction kept.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(sep=" ", timespec="microseconds")


def check_text(name: str, value: str) -> str:
    if _CONTROL.search(value):
        raise AuditError(f"audit {name} may not contain control characters")
    return value


def entry_hash(seq, at_text, actor_id, actor_label, action, object_type, object_id, details, prev_hash) -> str:
    payload = SEPARATOR.join(
        (str(seq), at_text, "" if actor_id is None else str(actor_id), actor_label,
         action, object_type, object_id, details, prev_hash)
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
