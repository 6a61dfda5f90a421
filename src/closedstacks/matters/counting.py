"""Counting before approval: how many records of each kind the designated users have in the designated dates.

This is what counsel and the custodian judge the burden and the scope by;
they see counts, never contents. It reads the library system with the
read-only credentials, and each count is on the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from closedstacks.audit.trail import record
from closedstacks.ils.connectors.base import ConnectorError, Scope
from closedstacks.ils.lookup import Resolution, current_connection, resolve
from closedstacks.matters.errors import ProcedureError, require
from closedstacks.matters.states import CLOSED_STATES, EARLY_STATES


@dataclass
class Counts:
    connection: str
    users: list[Resolution]
    kinds: dict[str, int] = field(default_factory=dict)
    not_offered: list[str] = field(default_factory=list)  # kinds designated that this system does not keep


def may_count(matter, user) -> bool:
    return (user.pk in (matter.counsel_id, matter.custodian_id) or "matter:decide" in user.scopes) \
        and "matter:read" in user.scopes


def count_designated(matter, *, by) -> Counts:
    """Counts per kind for the current instrument's users and dates (ambiguous or unknown users count nothing)."""
    require(may_count(matter, by), _("Counts are for the matter's counsel, its custodian and the director."))
    require(matter.state not in EARLY_STATES and matter.state not in CLOSED_STATES,
            _("There is nothing to count: the matter has no instrument in force."))
    instrument = matter.current_instrument()
    require(instrument is not None, _("There is no instrument to count for."))
    connection = current_connection()
    require(connection is not None, _("No library system is connected yet: an administrator adds one under "
                                      "Library system."))
    try:
        connector = connection.open()
        users = resolve(instrument.designated_users.all(), connector)
        offered = set(connector.kinds())
        wanted = list(instrument.record_kinds) or sorted(offered)
        kinds = tuple(kind for kind in wanted if kind in offered)
        found = tuple(dict.fromkeys(i for u in users if u.state == "found" for i in u.ils_ids))
        totals = connector.count(Scope(users=found, kinds=kinds, date_from=instrument.date_from,
                                       date_to=instrument.date_to)) if found else {k: 0 for k in kinds}
    except ConnectorError as exc:
        raise ProcedureError(str(exc)) from None
    result = Counts(connection=connection.name, users=users, kinds=totals,
                    not_offered=[kind for kind in wanted if kind not in offered])
    with transaction.atomic():
        record("records.counted", actor=by, obj=matter, details={
            "connection": connection.name, "instrument": instrument.pk, "counts": totals,
            "users": {state: sum(1 for u in users if u.state == state)
                      for state in ("found", "ambiguous", "not_found")}})
    return result
