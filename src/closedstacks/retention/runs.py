"""Retention runs: unlink what the policies say, batch by batch, resumable, and never what a legal hold covers.

A run snapshots the policies when it starts (each kind's cutoff day), then
walks each kind's table by primary key in batches. A batch is one small
transaction in the library system: read the next rows (locked), decide each
one (too recent, the user's own opt-in, under a legal hold, or to unlink),
update the ones to unlink, commit. Progress lives in the run's row here.

Stopping at any moment loses, repeats or skips nothing: before a batch's
update commits in the library system, the run records the batch as
*pending*; after the commit it records the batch as done. A run resumed
with a pending batch asks the library system whether that batch's rows
were unlinked — all of them: the commit happened, count it; none: it did
not, do the batch again. A second run finds nothing more. Where the engine
can count a batch's range afterwards (Koha: ``linked_in``), the batch is
recorded pending before its change, with how many rows of the range were
still linked, so the locks it holds there never wait on this database;
otherwise (Evergreen) it is recorded after its change, with what the change
did, before the commit there.

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
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.audit.trail import record
from closedstacks.ils.connectors.base import ConnectorError
from closedstacks.ils.connectors.db import DRIVER_ERRORS, connect
from closedstacks.ils.models import Connection
from closedstacks.matters.models import Matter
from closedstacks.records.models import LegalHold
from closedstacks.records.resolution import look_up
from closedstacks.retention import evergreen, koha
from closedstacks.retention.batches import Batch, Held
from closedstacks.retention.models import RetentionRun
from closedstacks.retention.pace import Pace
from closedstacks.retention.services import PolicyError, policies_for

BATCH = 5000
HOLDS_EVERY_S = 1.0  # how often a running run looks whether a legal hold was placed or lifted
UNFINISHED = (RetentionRun.Status.QUEUED, RetentionRun.Status.RUNNING, RetentionRun.Status.STOPPED)
ENGINES = {"koha": koha, "evergreen": evergreen}


def start(connection: Connection, *, by, dry_run: bool = False) -> RetentionRun:
    """A new run of ``connection``'s policies (refused while another real run is unfinished)."""
    engine = ENGINES.get(connection.connector)
    if engine is None:
        raise PolicyError(_("Retention does not yet unlink records in %(system)s.") % {
            "system": connection.get_connector_display()})
    if not dry_run and RetentionRun.objects.filter(connection=connection, dry_run=False,
                                                   status__in=UNFINISHED).exists():
        raise PolicyError(_("A run of %(name)s is unfinished: resume it first.") % {"name": connection.name})
    if not dry_run:
        try:
            held_users(connection, strict=True, viewer=by)
        except (ConnectorError, *DRIVER_ERRORS) as exc:
            raise PolicyError(str(exc) if isinstance(exc, ConnectorError) else _(
                "The library system could not be read to look up the legal holds (%(error)s): run Test "
                "connection.") % {"error": type(exc).__name__}) from None
    today = timezone.localdate()
    snapshot = {}
    for policy in policies_for(connection, by=by):
        if policy.enabled and policy.kind in engine.STEPS.values():
            snapshot[policy.kind] = {"keep_days": policy.keep_days, "respect_opt_in": policy.respect_opt_in,
                                     "keep_outstanding": policy.keep_outstanding,
                                     "cutoff": (today - dt.timedelta(days=policy.keep_days)).isoformat(),
                                     "policy": policy.pk, "version": policy.version}
    with transaction.atomic():
        run = RetentionRun.objects.create(connection=connection, dry_run=dry_run, policies=snapshot,
                                          progress={step: _fresh() for step, kind in engine.STEPS.items()
                                                    if kind in snapshot},
                                          requested_by=by if getattr(by, "pk", None) else None)
        record("retention.run_requested", actor=by, obj=run, details={
            "connection": connection.name, "dry_run": dry_run, "policies": snapshot})
    return run


def unfinished(connection: Connection, *, dry_run: bool = False) -> RetentionRun | None:
    return RetentionRun.objects.filter(connection=connection, dry_run=dry_run, status__in=UNFINISHED).first()


def held_users(connection: Connection, *, strict: bool = False, viewer=None) -> dict[str, list[Held]]:
    """Every legal hold in force, by the library system's user id, looked up again now (and kept on the hold).

    ``strict`` (a real run): a hold whose designated user matches no one, or several people, is a hold that may
    protect nobody, or not the person meant; the run refuses, naming the matters that need attention."""
    holds = list(LegalHold.objects.in_force().select_related("designated", "matter"))
    found: dict[str, list[Held]] = defaultdict(list)
    if not holds:
        return found
    connector = connection.open()
    with connector.keep_open(), transaction.atomic():
        look_up(holds, connector)
    if strict:
        refuse_unresolved(holds, viewer)
    for hold in holds:
        for user in hold.ils_user_ids:
            found[str(user)].append(Held(frozenset(hold.record_kinds), hold.date_from, hold.date_to))
    return found


class UnresolvedHolds(ConnectorError):
    """A real run cannot start while a hold in force matches no one, or several people."""


def refuse_unresolved(holds, viewer=None) -> None:
    """Raise UnresolvedHolds naming (by reference) the matters whose holds need attention: those ``viewer`` may
    open; the others only as "a matter you may not open" (a sealed matter's reference is not for everyone)."""
    waiting = {hold.matter_id: hold.matter.reference for hold in holds if hold.protects_nobody}
    if not waiting:
        return
    shown = set(Matter.objects.visible_to(viewer).filter(pk__in=waiting).values_list("pk", flat=True)) \
        if viewer is not None and getattr(viewer, "pk", None) else set()
    refs = sorted(waiting[pk] for pk in shown)
    if len(shown) < len(waiting):
        refs.append(str(_("a matter you may not open")))
    raise UnresolvedHolds(_("Retention waits: a legal hold in force names a user who matches no one, or several "
                            "people, in the library system, so it may protect nobody. Matters that need attention "
                            "(amend the instrument so each user is named exactly, for example by a card number or a "
                            "name with a date of birth): %(refs)s.") % {"refs": ", ".join(refs)})


def _save(run: RetentionRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    with transaction.atomic():
        RetentionRun.objects.filter(pk=run.pk).update(progress=run.progress, **fields)


def _fresh() -> dict:
    return {"cursor": 0, "examined": 0, "unlinked": 0, "kept_for_holds": 0, "kept_opt_in": 0, "done": False,
            "pending": None, "longest_batch_s": 0.0, "last": None}


def _holds_mark() -> dict:
    """Changes whenever a hold is placed or lifted."""
    return LegalHold.objects.in_force().aggregate(n=Count("pk"), last=Max("pk"))


class _Holds:
    """The legal holds as a run sees them, looked up again (at most every ``HOLDS_EVERY_S``) when one is placed or
    lifted while the run runs."""

    def __init__(self, connection: Connection, *, strict: bool, viewer=None):
        self.connection, self.strict, self.viewer = connection, strict, viewer
        self.mark, self.looked = _holds_mark(), time.monotonic()
        self.held = held_users(connection, strict=strict, viewer=viewer)

    def current(self) -> dict[str, list[Held]]:
        if time.monotonic() - self.looked > HOLDS_EVERY_S:
            self.looked = time.monotonic()
            mark = _holds_mark()
            if mark != self.mark:
                self.mark, self.held = mark, held_users(self.connection, strict=self.strict, viewer=self.viewer)
        return self.held


def _apply(state: dict, batch: Batch, *, unlinked: int) -> None:
    state["cursor"] = batch.to
    for key in ("examined", "kept_for_holds"):
        state[key] = state.get(key, 0) + getattr(batch, key)
    if batch.counted and state.get("kept_opt_in") is not None:
        state["kept_opt_in"] += batch.kept_opt_in
    else:  # a real run does not count what the users' choice keeps (a dry run does)
        state["kept_opt_in"] = None
    state["unlinked"] = state.get("unlinked", 0) + unlinked
    state["pending"] = None


def execute(run: RetentionRun | int, *, batch_size: int = BATCH, should_stop=lambda: False,
            progress=None) -> RetentionRun:
    """Run (or resume) ``run`` to its end, or until ``should_stop()``; returns it with its counts.

    ``batch_size`` is the most keys a batch spans; ``pace.Pace`` makes batches smaller while they hold their locks
    for long. ``progress(step, cursor, last)``, when given, is called after every batch (``last``: the step's
    highest key when the step started)."""
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
        holds = _Holds(run.connection, strict=not run.dry_run, viewer=run.requested_by)
        with connect(settings, autocommit=False) as db:
            ctx = engine.context(db)
            db.connection.rollback()
            for step, kind in engine.STEPS.items():  # a fixed order (JSON keys have none)
                if kind in run.policies and not _walk(run, _Walk(engine, db, ctx, step, run.policies[kind], holds),
                                                      batch_size, should_stop, progress):
                    _save(run, status=RetentionRun.Status.STOPPED)
                    _audit(run, "retention.run_stopped")
                    return run
    except (ConnectorError, *DRIVER_ERRORS) as exc:
        problem = str(exc) if isinstance(exc, ConnectorError) else _(
            "The library system refused a query (%(error)s).") % {"error": type(exc).__name__}
        _save(run, status=RetentionRun.Status.FAILED, problem=problem[:500], finished_at=timezone.now())
        _audit(run, "retention.run_failed")
        return run
    _save(run, status=RetentionRun.Status.DONE, finished_at=timezone.now())
    _audit(run, "retention.run_finished")
    return run


@dataclass
class _Walk:
    """One step of a run over its table: what every batch of it needs."""

    engine: object
    db: object
    ctx: object
    step: str
    policy: dict
    holds: _Holds


def _note_lock(state: dict, pace: Pace, batch: Batch, locked: float | None) -> None:
    """How long a batch held its locks in the library system (from its first change to its commit): the longest
    is reported, and the next batch's size follows it."""
    if locked is not None:
        held = time.perf_counter() - locked
        state["longest_batch_s"] = max(state.get("longest_batch_s", 0.0), round(held, 4))
        pace.measured(batch.to - batch.after, held)
        state["smallest_batch"] = min(state.get("smallest_batch") or pace.size, pace.size)


def _resume(run: RetentionRun, walk: _Walk, state: dict) -> None:
    """Interrupted between recording a batch as pending and recording it as done: did it commit there?"""
    pending = Batch.from_json(state["pending"])
    done = walk.engine.committed(walk.db, walk.step, pending, walk.policy, walk.holds.current(), walk.ctx)
    if done and pending.linked is not None:  # recorded before its change: what it unlinked is how many fewer
        unlinked = max(0, pending.linked - walk.engine.linked_in(walk.db, walk.step, pending, walk.ctx))
    else:  # recorded after its change, with what the change did
        unlinked = pending.unlinking
    walk.db.connection.rollback()
    if done:
        _apply(state, pending, unlinked=unlinked)
    else:
        state["pending"] = None
    _save(run)


def _recorded_then_changed(run: RetentionRun, walk: _Walk, state: dict, batch: Batch, pace: Pace) -> None:
    """One batch of an engine that can count its range afterwards: pending here first, then changed and committed
    there (its locks wait on nothing here), then done in memory (recorded with the next write)."""
    state["pending"] = batch.as_json()
    _save(run)
    locked = time.perf_counter()
    changed = walk.engine.apply(walk.db, walk.step, batch, walk.policy, walk.holds.current(), walk.ctx)
    (walk.db.connection.commit if changed else walk.db.connection.rollback)()
    _note_lock(state, pace, batch, locked)
    _apply(state, batch, unlinked=changed)


def _walk(run: RetentionRun, walk: _Walk, batch_size: int, should_stop, progress) -> bool:
    """Walk one step's table batch by batch to its end (True), or until ``should_stop()`` (False)."""
    engine, db = walk.engine, walk.db
    state = run.progress.setdefault(walk.step, _fresh())
    if state.get("pending"):
        _resume(run, walk, state)
    if state.get("last") is None:  # how far this step goes, for the progress shown
        state["last"] = engine.extent(db, walk.step)
        db.connection.rollback()
    committed = None  # the last batch (and what it changed), committed there and recorded here as pending
    pace = Pace(batch_size)
    began = saved = time.monotonic()
    while not state["done"]:
        if should_stop():
            break
        after = committed[0].to if committed is not None else state["cursor"]
        batch = engine.plan(db, walk.step, after, pace.size, walk.policy, walk.holds.current(), walk.ctx,
                            exact=run.dry_run)
        changed, locked = 0, None
        if batch is not None and batch.linked is not None and batch.unlinking and not run.dry_run:
            # The engine can tell afterwards what a batch unlinked: recorded before its change.
            if committed is not None:
                _apply(state, committed[0], unlinked=committed[1])
                committed = None
            _recorded_then_changed(run, walk, state, batch, pace)
            saved = time.monotonic()
            if progress:
                progress(walk.step, batch.to, state["last"])
            continue
        if batch is not None and batch.unlinking and not run.dry_run:
            locked = time.perf_counter()  # reading takes no locks; changing takes them until the commit
            changed = engine.apply(db, walk.step, batch, walk.policy, walk.holds.current(), walk.ctx)
            batch.applied(changed)
        if not changed:
            db.connection.rollback()
            _note_lock(state, pace, batch, locked)
        if committed is not None:  # the previous batch's end, recorded with whatever is recorded next
            _apply(state, committed[0], unlinked=committed[1])
            committed = None
        if batch is None:
            state["done"] = True
        elif not changed:
            _apply(state, batch, unlinked=batch.unlinking if run.dry_run else 0)
        else:
            # One write here per batch, after the change and before its commit there: the previous batch done,
            # this one pending (a resumed run asks the library system which of the two it was).
            state["pending"] = batch.as_json()
        if changed or batch is None or time.monotonic() - saved >= 1:  # unchanged batches: redoing them is harmless
            _save(run)
            saved = time.monotonic()
        if changed:
            db.connection.commit()
            _note_lock(state, pace, batch, locked)
            committed = (batch, changed)
        if batch is not None:
            if progress:
                progress(walk.step, batch.to, state["last"])
    if committed is not None:
        _apply(state, committed[0], unlinked=committed[1])
    state["elapsed_s"] = round(state.get("elapsed_s", 0.0) + time.monotonic() - began, 3)
    return state["done"]


def _audit(run: RetentionRun, action: str) -> None:
    with transaction.atomic():
        record(action, actor=run.requested_by, obj=run, details={
            "connection": run.connection.name, "dry_run": run.dry_run, "problem": run.problem,
            "counts": {kind: {k: v for k, v in state.items() if k not in ("pending", "cursor")}
                       for kind, state in run.progress.items()}})
