"""One path for changing a versioned object: lock its row, refuse a stale form, change it, record the change.

Every service that changes an object carrying a ``version`` (a matter, a report, a retention policy or
schedule, a training module, a transparency report) goes through here::

    with changes.locked(Incident.objects.visible_to(by), pk=pk, version=version,
                        missing=ReportError(_("No such report.")), stale=StaleReport(...)) as incident:
        ...                                   # check and change it
        changes.save(incident, by=by, action="incident.closed", details={...}, event=add_timeline_line)

``locked`` opens the transaction and takes the row lock among the rows the queryset allows (so what a person
may not see is "missing" to them), and refuses a form filled in from an older version. ``save`` bumps the
version, saves, adds the object's timeline line and writes the audit entry, in that same transaction: the
change, its event and its audit entry commit together or not at all.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable

from django.db import transaction

from closedstacks.audit.trail import record


@contextmanager
def locked(queryset, *, version: int | None, missing: Exception, stale: Exception | Callable, **lookup):
    """The one row ``lookup`` finds in ``queryset``, locked until the transaction this opens ends.

    Raises ``missing`` when there is no such row (or the person may not see it) and ``stale`` when
    ``version`` (the one the person saw; None: not from a form) is no longer the row's; ``stale`` may be a
    function of the row, to say what it is now.
    """
    with transaction.atomic():
        row = queryset.select_for_update(of=("self",)).filter(**lookup).first()
        if row is None:
            raise missing
        if version is not None and int(version) != row.version:
            raise stale if isinstance(stale, Exception) else stale(row)
        yield row


def save(row, *, by, action: str, details: dict | None = None, event: Callable | None = None):
    """Bump ``row``'s version and save it, add its timeline line (``event(row)``) and its audit entry."""
    row.version += 1
    row.save()
    if event is not None:
        event(row)
    record(action, actor=by, obj=row, details=details or {})
    return row
