"""A copy of every signed checkpoint kept outside the database.

Someone who can rewrite the database could delete the newest entries *and*
the checkpoints that cover them. The anchor file (``CLOSEDSTACKS_AUDIT_ANCHOR_FILE``,
by default in the data directory) keeps each checkpoint as one JSON line,
appended after the transaction commits, so ``audit verify`` can still see them.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

from django.conf import settings

from closedstacks.audit.chain import canonical_time

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnchoredCheckpoint:
    seq: int
    entry_hash: str
    signed_at: str
    key_id: str
    signature: str


def append(checkpoint) -> None:
    path = settings.AUDIT_ANCHOR_FILE
    if path is None:
        return
    line = json.dumps(
        {
            "seq": checkpoint.seq,
            "entry_hash": checkpoint.entry_hash,
            "signed_at": canonical_time(checkpoint.signed_at),
            "key_id": checkpoint.key_id,
            "signature": checkpoint.signature,
        },
        sort_keys=True,
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        with os.fdopen(fd, "a", encoding="ascii") as handle:
            handle.write(line + "\n")
    except OSError as exc:
        log.warning("could not append audit checkpoint %s to the anchor file: %s", checkpoint.seq, exc.strerror)


def read() -> tuple[list[AnchoredCheckpoint], list[int]]:
    """The anchored checkpoints, and the line numbers that could not be read."""
    path = settings.AUDIT_ANCHOR_FILE
    if path is None or not path.exists():
        return [], []
    found, unreadable = [], []
    with path.open(encoding="ascii", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                found.append(AnchoredCheckpoint(int(data["seq"]), str(data["entry_hash"]), str(data["signed_at"]),
                                                str(data["key_id"]), str(data["signature"])))
            except (ValueError, KeyError, TypeError):
                unreadable.append(number)
    return found, unreadable
