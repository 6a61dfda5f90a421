"""Retention runs: unlink what the policies say, batch by batch, resumable, and never what a legal hold covers.

A run snapshots the policies when it starts (each kind's cutoff day), then
walks each kind's table by primary key in batches. A batch is one small
transaction in the library system: read the next rows (locked), decide each
one (too recent, the user's own opt-in, under a legal hold, or to unlink),
update the ones to unlink, commit. Progress lives in the run's row here.

Stopping at any moment loses, repeats or skips nothing: before a batch's
update commits in the library system, the run records the batch as
*pending* (its ids and counts); after the commit it records the batch as
done. A run resumed with a pending batch asks the library system whether
that batch's rows were unlinked — all of them: the commit happened, count
it; none: it did not, do the batch again. A second run finds nothing more.

Legal holds are absolute: every hold in force is looked up again in the
library system when the run starts (its users' ids), and a row is kept if
any hold covers its user, its kind (a hold without kinds covers all) and
its date (a hold without dates covers all; a row without a date is kept).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.audit.trail import record
from closedstacks.records.connectors.base import ConnectorError
from closedstacks.records.connectors.db import DRIVER_ERRORS, connect
from closedstacks.records.lookup import LOOKUP
from closedstacks.records.models import Connection, LegalHold
from closedstacks.retention import koha
from closedstacks.retention.models import RetentionRun
from closedstacks.retention.services import PolicyError, policies_for

BATCH = 1000
UNFINISHED = (RetentionRun.Status.QUEUED, RetentionRun.Status.RUNNING, RetentionRun.Status.STOPPED)
ENGINES = {"koha": koha}


@dataclass(frozen=True)
class Held:
    kinds: frozenset
    date_from: dt.date | None
    date_to: dt.date | None

    def covers(self, kind: str, day: dt.date | None) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if day is None:
            return True
        return not ((self.date_from and day < self.date_from) or (self.date_to and day > self.date_to))


def start(connection: Connection, *, by, dry_run: bool = False) -> RetentionRun:
    """A new run of ``connection``'s policies (refused while another real run is unfinished)."""
    engine = ENGINES.get(connection.connector)
    if engine is None:
        raise PolicyError(_("Retention does not yet unlink records in %(system)s.") % {
            "system": connection.get_connector_display()})
    if not dry_run and RetentionRun.objects.filter(connection=connection, dry_run=False,
                                                   status__in=UNFINISHED).exists():
        raise PolicyError(_("A run of %(name)s is unfinished: resume it first.") % {"name": connection.name})
    today = timezone.localdate()
    snapshot = {}
    for policy in policies_for(connection, by=by):
        if policy.enabled and policy.kind in engine.SPECS:
            snapshot[policy.kind] = {"keep_days": policy.keep_days, "respect_opt_in": policy.respect_opt_in,
                                     "cutoff": (today - dt.timedelta(days=policy.keep_days)).isoformat(),
                                     "policy": policy.pk, "version": policy.version}
    with transaction.atomic():
        run = RetentionRun.objects.create(connection=connection, dry_run=dry_run, policies=snapshot,
                                          requested_by=by if getattr(by, "pk", None) else None)
        record("retention.run_requested", actor=by, obj=run, details={
            "connection": connection.name, "dry_run": dry_run, "policies": snapshot})
    return run


def unfinished(connection: Connection, *, dry_run: bool = False) -> RetentionRun | None:
    return RetentionRun.objects.filter(connection=connection, dry_run=dry_run, status__in=UNFINISHED).first()


def held_users(connection: Connection) -> dict[str, list[Held]]:
    """Every legal hold in force, by the library system's user id, looked up again now."""
    holds = list(LegalHold.objects.in_force().select_related("designated"))
    found: dict[str, list[Held]] = defaultdict(list)
    if not holds:
        return found
    connector = connection.open()
    with connector.keep_open():
        for hold in holds:
            ids = set(hold.ils_user_ids or [])
            person = hold.designated
            ids |= set(connector.resolve(LOOKUP.get(person.identifier_type, "id"), person.value))
            for user in ids:
                found[str(user)].append(Held(frozenset(hold.record_kinds), hold.date_from, hold.date_to))
    return found


def _save(run: RetentionRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    with transaction.atomic():
        RetentionRun.objects.filter(pk=run.pk).update(progress=run.progress, **fields)


def _decide(rows, kind: str, policy: dict, anonymous: int, held: dict[str, list[Held]]) -> dict:
    cutoff = dt.date.fromisoformat(policy["cutoff"])
    out = {"ids": [], "examined": len(rows), "kept_for_holds": 0, "kept_opt_in": 0, "to": rows[-1][0]}
    for pk, user, closed, day, privacy, _item in rows:
        if user is None or int(user) == anonymous or closed is None or closed >= cutoff:
            continue
        if any(h.covers(kind, day) for h in held.get(str(int(user)), ())):
            out["kept_for_holds"] += 1
        elif policy["respect_opt_in"] and privacy is not None and int(privacy) == 0:
            out["kept_opt_in"] += 1
        else:
            out["ids"].append(pk)
    return out


def _apply(state: dict, batch: dict, *, unlinked: int) -> None:
    state["cursor"] = batch["to"]
    for key in ("examined", "kept_for_holds", "kept_opt_in"):
        state[key] = state.get(key, 0) + batch[key]
    state["unlinked"] = state.get("unlinked", 0) + unlinked
    state["pending"] = None


def execute(run: RetentionRun | int, *, batch_size: int = BATCH, should_stop=lambda: False,
            progress=None) -> RetentionRun:
    """Run (or resume) ``run`` to its end, or until ``should_stop()``; returns it with its counts."""
    run = RetentionRun.objects.select_related("connection").get(pk=run.pk if isinstance(run, RetentionRun) else run)
    if run.status == RetentionRun.Status.DONE:
        return run
    engine = ENGINES[run.connection.connector]
    _save(run, status=RetentionRun.Status.RUNNING, started_at=run.started_at or timezone.now())
    try:
        settings = run.connection.settings(write=not run.dry_run)
        if not run.dry_run and settings.driver != "sqlite" and not settings.user:
            raise ConnectorError(_("Retention changes the library system: an administrator must give this "
                                   "connection its write credentials first."))
        held = held_users(run.connection)
        with connect(settings, autocommit=False) as db:
            anonymous = engine.anonymous_patron(db)
            db.connection.rollback()
            for kind in [k for k in engine.SPECS if k in run.policies]:  # a fixed order (JSON keys have none)
                policy = run.policies[kind]
                state = run.progress.setdefault(kind, {"cursor": 0, "examined": 0, "unlinked": 0,
                                                       "kept_for_holds": 0, "kept_opt_in": 0, "done": False,
                                                       "pending": None, "longest_batch_s": 0.0})
                pending = state.get("pending")
                if pending:  # interrupted between recording a batch and recording its end: did it commit?
                    done = engine.committed(db, kind, pending["ids"], anonymous)
                    db.connection.rollback()
                    if done:
                        _apply(state, pending, unlinked=len(pending["ids"]))
                    else:
                        state["pending"] = None
                    _save(run)
                committed = None  # the last batch, committed there and recorded here as pending
                saved = time.monotonic()

                def settle(state=state):
                    nonlocal committed
                    if committed is not None:
                        _apply(state, committed[0], unlinked=committed[1])
                        committed = None

                while not state["done"]:
                    if should_stop():
                        settle()
                        _save(run, status=RetentionRun.Status.STOPPED)
                        _audit(run, "retention.run_stopped")
                        return run
                    began = time.perf_counter()
                    after = committed[0]["to"] if committed is not None else state["cursor"]
                    rows = engine.read_batch(db, kind, after, batch_size, lock=not run.dry_run)
                    if not rows:
                        db.connection.rollback()
                        settle()
                        state["done"] = True
                        _save(run)
                        break
                    decided = _decide(rows, kind, policy, anonymous, held)
                    if run.dry_run or not decided["ids"]:
                        db.connection.rollback()
                        settle()
                        _apply(state, decided, unlinked=len(decided["ids"]))
                        if time.monotonic() - saved > 1:  # nothing changed there: redoing these is harmless
                            _save(run)
                            saved = time.monotonic()
                    else:
                        # One write here per batch: the previous batch done, this one pending, before it commits.
                        settle()
                        state["pending"] = decided
                        _save(run)
                        saved = time.monotonic()
                        chosen = set(decided["ids"])
                        changed = engine.unlink(db, kind, [r for r in rows if r[0] in chosen], anonymous,
                                                dt.date.fromisoformat(policy["cutoff"]))
                        db.connection.commit()
                        committed = (decided, changed)
                    state["longest_batch_s"] = max(state.get("longest_batch_s", 0.0),
                                                   round(time.perf_counter() - began, 4))
                    if progress:
                        progress(kind, state["cursor"])
    except (ConnectorError, *DRIVER_ERRORS) as exc:
        problem = str(exc) if isinstance(exc, ConnectorError) else _(
            "The library system refused a query (%(error)s).") % {"error": type(exc).__name__}
        _save(run, status=RetentionRun.Status.FAILED, problem=problem[:500], finished_at=timezone.now())
        _audit(run, "retention.run_failed")
        return run
    _save(run, status=RetentionRun.Status.DONE, finished_at=timezone.now())
    _audit(run, "retention.run_finished")
    return run


def _audit(run: RetentionRun, action: str) -> None:
    with transaction.atomic():
        record(action, actor=run.requested_by, obj=run, details={
            "connection": run.connection.name, "dry_run": run.dry_run, "problem": run.problem,
            "counts": {kind: {k: v for k, v in state.items() if k not in ("pending", "cursor")}
                       for kind, state in run.progress.items()}})
