"""Retention policies and schedules: the defaults a connection starts with, and the officer's changes, each
audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.audit import changes
from closedstacks.audit.trail import record
from closedstacks.ils.models import Connection
from closedstacks.retention.models import RetentionPolicy, RetentionRun, RetentionSchedule
from closedstacks.retention.policies import DEFAULTS, KINDS_BY_SYSTEM, MAX_DAYS


class PolicyError(Exception):
    """A change refused; the message says why."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PolicyError(message)


def policies_for(connection: Connection, *, by) -> list[RetentionPolicy]:
    """The connection's policies, one per kind its system can unlink; missing ones start at the defaults."""
    kinds = KINDS_BY_SYSTEM.get(connection.connector, [])
    have = {p.kind: p for p in RetentionPolicy.objects.filter(connection=connection)}
    missing = [kind for kind in kinds if kind not in have]
    if missing:
        with transaction.atomic():
            for kind in missing:
                default = DEFAULTS[kind]
                have[kind], made = RetentionPolicy.objects.get_or_create(
                    connection=connection, kind=kind,
                    defaults={"keep_days": default.keep_days, "respect_opt_in": default.respect_opt_in,
                              "keep_outstanding": default.keep_outstanding, "updated_by": None})
                if made:
                    record("retention.policy_defaulted", actor=by, obj=have[kind], details={
                        "connection": connection.name, "kind": kind, "keep_days": default.keep_days,
                        "respect_opt_in": default.respect_opt_in, "keep_outstanding": default.keep_outstanding})
    return [have[kind] for kind in kinds]


FIELDS = ("keep_days", "respect_opt_in", "keep_outstanding", "enabled")


def update_policy(policy: RetentionPolicy | int, *, by, version: int, keep_days: int, respect_opt_in: bool,
                  keep_outstanding: bool, enabled: bool) -> RetentionPolicy:
    """Change one policy (the officer's); the audit entry has the values before and after."""
    _require("retention:manage" in by.scopes, _("Only the responsible officer changes retention policies."))
    _require(0 <= int(keep_days) <= MAX_DAYS, _("Days to keep must be between 0 and %(max)s.") % {"max": MAX_DAYS})
    pk = policy.pk if isinstance(policy, RetentionPolicy) else policy
    with changes.locked(RetentionPolicy.objects.select_related("connection"), pk=pk, version=version,
                        missing=PolicyError(_("No such policy.")),
                        stale=PolicyError(_("Someone else changed this policy while you were working. Nothing you "
                                            "entered was saved: look again, then try again."))) as locked:
        _require(not keep_outstanding or locked.kind == "fines", _("Only fines can be kept while still owed."))
        before = {name: getattr(locked, name) for name in FIELDS}
        after = {"keep_days": int(keep_days), "respect_opt_in": bool(respect_opt_in),
                 "keep_outstanding": bool(keep_outstanding), "enabled": bool(enabled)}
        if before == after:
            return locked
        for name, value in after.items():
            setattr(locked, name, value)
        locked.updated_at, locked.updated_by = timezone.now(), by
        return changes.save(locked, by=by, action="retention.policy_changed", details={
            "connection": locked.connection.name, "kind": locked.kind, "before": before, "after": after})


def schedule_for(connection: Connection) -> RetentionSchedule:
    return RetentionSchedule.objects.get_or_create(connection=connection)[0]


def update_schedule(connection: Connection, *, by, version: int, every_days: int) -> RetentionSchedule:
    """Set how often retention runs by itself (0: never); audited with the value before and after."""
    _require("retention:manage" in by.scopes, _("Only the responsible officer schedules retention runs."))
    _require(0 <= int(every_days) <= 366, _("Runs can be scheduled every 1 to 366 days, or 0 for never."))
    schedule_for(connection)
    with changes.locked(RetentionSchedule.objects.all(), connection=connection, version=version,
                        missing=PolicyError(_("No such schedule.")),
                        stale=PolicyError(_("Someone else changed this schedule while you were working. Nothing you "
                                            "entered was saved: look again, then try again."))) as locked:
        if locked.every_days == int(every_days):
            return locked
        before = locked.every_days
        locked.every_days = int(every_days)
        locked.updated_at, locked.updated_by = timezone.now(), by
        return changes.save(locked, by=by, action="retention.schedule_changed", details={
            "connection": connection.name, "before": before, "after": locked.every_days})


def due_for_a_run(now=None) -> list[Connection]:
    """Active connections whose schedule says a run is due: never run, or the last real run started longer ago
    than the schedule's days (an unfinished run is due at once: it is resumed)."""
    now = now or timezone.now()
    due = []
    for schedule in RetentionSchedule.objects.filter(every_days__gt=0, connection__active=True).select_related(
            "connection"):
        last = RetentionRun.objects.filter(connection=schedule.connection, dry_run=False).exclude(
            status=RetentionRun.Status.FAILED).order_by("-requested_at").first()
        if last is None or last.status != RetentionRun.Status.DONE or \
                now - last.requested_at >= dt.timedelta(days=schedule.every_days):
            due.append(schedule.connection)
    return due
