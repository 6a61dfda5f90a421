"""Looking a legal hold's designated user up in the library system, and keeping what was found on the hold (the
resolving job and retention runs both do it)."""

from __future__ import annotations

from django.utils import timezone

from closedstacks.ils.lookup import find


def look_up(holds, connector) -> None:
    """Look each hold's designated user up in the library system again and keep what was found (saved, in the
    caller's transaction). The ids only grow: a user once found stays protected though their card is replaced
    or their name changes."""
    now = timezone.now()
    for hold in holds:
        found = {str(i) for i in find(connector, hold.designated)}
        hold.ils_user_ids = sorted(set(hold.ils_user_ids or []) | found, key=lambda i: (len(i), i))  # numerically
        hold.resolved_at = now
        hold.save(update_fields=["ils_user_ids", "resolved_at"])
