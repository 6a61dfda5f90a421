"""Entries that change nothing any page shows — a look, a download, a sign-in — and the latest entry that may
have: what the home page keys its kept panels on (web/home.py).

The latest change is read from a partial index of the trail that leaves the quiet entries out (migration
0004), so it costs one index step however many looks follow it. The index's condition and the query here must
be the same text for the database to use it: both are made from ``QUIET``; changing it needs a migration that
makes the index again (tests/test_home_panels.py checks they agree).
"""

from __future__ import annotations

import re

from django.db import connection

QUIET = (
    "account.mfa_verified", "account.signed_in", "account.signed_out", "audit.exported",
    "breach.identities_viewed", "incident.exported", "incident.viewed", "matter.document_downloaded",
    "matter.document_viewed", "matter.letter_generated", "matter.viewed", "production.downloaded",
    "production.listed", "production.viewed", "records.counted", "training.compliance_downloaded",
)
assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", action) for action in QUIET)  # written into SQL as they are
_NOT_QUIET = "action NOT IN (" + ", ".join(f"'{action}'" for action in QUIET) + ")"

INDEX = "audit_entry_change"
CREATE_INDEX = f"CREATE INDEX {INDEX} ON audit_entry (seq) WHERE {_NOT_QUIET}"
DROP_INDEX = f"DROP INDEX IF EXISTS {INDEX}"
LATEST_CHANGE = f"SELECT seq, hash FROM audit_entry WHERE {_NOT_QUIET} ORDER BY seq DESC LIMIT 1"


def latest_change() -> tuple[int, str] | None:
    """(seq, hash) of the latest entry that is not quiet, or None if there is none."""
    with connection.cursor() as cursor:
        cursor.execute(LATEST_CHANGE)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None
