"""Looking a legal hold's designated user up in the library system, and keeping what was found on the hold (the
resolving job and retention runs both do it)."""

from __future__ import annotations

from django.utils import timezone

from closedstacks.ils.lookup import find


def look_up(holds, connector) -> list:
    """Look each hold's designated user up in the library system again and keep what was found (saved, in the
    caller's transaction). The ids only grow: a user once found stays protected though their card is replaced
    or their name changes. Returns the holds whose result changed."""
    now, changed = timezone.now(), []
    for hold in holds:
        before = list(hold.ils_user_ids or [])
        ids = sorted(set(before) | {str(i) for i in find(connector, hold.designated)},
                     key=lambda i: (len(i), i))
        hold.ils_user_ids, hold.resolved_at = ids, now
        hold.save(update_fields=["ils_user_ids", "resolved_at"])
        if ids != before:
            changed.append(hold)
    return changed
