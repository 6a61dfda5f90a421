"""Filling a scratch database with many matters and a long audit trail, quickly (bulk inserts).

The rows look like what the procedure leaves behind — states across the whole
road, instruments, designated users, reviews, scopes with their approvals,
deadlines, timelines — without running each step, which would take hours.
"""

from __future__ import annotations

import datetime as dt
import random
import sys

from django.db import connection, transaction
from django.utils import timezone

from closedstacks.access.roles import Role
from closedstacks.accounts.services import create_account
from closedstacks.audit.chain import GENESIS, canonical_json, canonical_time, entry_hash
from closedstacks.matters import summary
from closedstacks.matters.models import (
    Deadline,
    DesignatedUser,
    Instrument,
    Matter,
    MatterEvent,
    Review,
    Scope,
    ScopeApproval,
)
from closedstacks.matters.states import State

# (state, share of matters, steps of the road it passed)
MIX = [
    (State.REFERRED, 10, 0), (State.EXPLAINED, 10, 1), (State.RECEIVED, 10, 2), (State.IN_REVIEW, 15, 3),
    (State.DEFECTIVE, 5, 4), (State.CHALLENGED, 2, 4), (State.SUFFICIENT, 8, 4), (State.SCOPE_PROPOSED, 5, 5),
    (State.SCOPE_APPROVED, 10, 6), (State.WARRANT_EXECUTED, 2, 1), (State.DECLINED, 8, 2), (State.WITHDRAWN, 5, 2),
    (State.QUASHED, 2, 4), (State.CLOSED, 8, 5),
]
ROAD = [State.EXPLAINED, State.RECEIVED, State.IN_REVIEW, State.SUFFICIENT, State.SCOPE_PROPOSED,
        State.SCOPE_APPROVED]
BATCH = 5000


def people() -> dict:
    made = {}
    for name, role in [("desk", Role.STAFF), ("officer", Role.OFFICER), ("director", Role.DIRECTOR),
                       ("custodian", Role.CUSTODIAN)] + [(f"counsel{n}", Role.COUNSEL) for n in range(5)]:
        made[name], _ = create_account(username=name, roles=[role], by="cli:bench",
                                       password="a bench passphrase, long enough")
    return made


def _progress(label: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r  {label:<24} {done:>9,}/{total:,}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def matters(total: int, who: dict, seed: int = 7) -> None:
    rng = random.Random(seed)
    states = [state for state, share, _ in MIX for _ in range(share)]
    steps_of = {state: steps for state, _share, steps in MIX}
    counsels = [who[f"counsel{n}"] for n in range(5)]
    now = timezone.now()
    made = 0
    while made < total:
        size = min(BATCH, total - made)
        with transaction.atomic():
            batch = []
            for n in range(made, made + size):
                state = rng.choice(states)
                gagged = rng.random() < 0.02 and steps_of[state] >= 2
                batch.append(Matter(
                    reference=f"B{n:07d}", state=state, logged_by=who["desk"], officer=who["officer"],
                    logged_at=now - dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
                    requester_name=f"Requester {n % 997}", requester_agency=f"Agency {n % 89}", channel="in_person",
                    request_text="Asked about a user's loans.",
                    counsel=rng.choice(counsels) if steps_of[state] >= 3 else None,
                    custodian=who["custodian"] if state == State.SCOPE_APPROVED else None,
                    awaiting="both" if state == State.SCOPE_PROPOSED else "",
                    nondisclosure=gagged, nondisclosure_until=(now + dt.timedelta(days=200)).date() if gagged else None,
                    closed_at=now if state in (State.DECLINED, State.WITHDRAWN, State.QUASHED, State.CLOSED) else None))
            Matter.objects.bulk_create(batch)
            rows = list(Matter.objects.filter(reference__in=[m.reference for m in batch]).values_list(
                "pk", "state", "logged_at", "counsel_id", "nondisclosure"))
            _details(rows, steps_of, who, rng)
            summary.refresh_all(Matter.objects.filter(pk__in=[row[0] for row in rows]))
        made += size
        _progress("matters", made, total)


def _details(rows, steps_of, who, rng) -> None:
    events, instruments, deadlines = [], [], []
    for pk, state, logged_at, _counsel, _gagged in rows:
        events.append(MatterEvent(matter_id=pk, at=logged_at, actor=who["desk"], action="logged",
                                  to_state=State.REFERRED, summary="Logged at the desk."))
        for step, target in enumerate(ROAD[:steps_of[state]], start=1):
            events.append(MatterEvent(matter_id=pk, at=logged_at + dt.timedelta(hours=step), actor=who["director"],
                                      action="move", to_state=target, summary="A step of the procedure."))
        if steps_of[state] >= 2:
            instruments.append(Instrument(
                matter_id=pk, type="nsl" if pk % 50 == 0 else "subpoena_duces_tecum",
                issuing_authority="County Court", case_number=f"CV-{pk}", caption=f"People v. Doe {pk % 1009}",
                record_kinds=["past_loans", "holds"], date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31),
                received_by=who["director"], received_at=logged_at + dt.timedelta(hours=2),
                return_at=logged_at + dt.timedelta(days=30)))
            if state not in (State.DECLINED, State.WITHDRAWN, State.QUASHED, State.CLOSED):
                for kind, days in (("return", 30), ("objection", 14)):
                    due = (logged_at + dt.timedelta(days=days)).date()
                    deadlines.append(Deadline(matter_id=pk, kind=kind, due_on=due))
    MatterEvent.objects.bulk_create(events, batch_size=BATCH)
    Deadline.objects.bulk_create(deadlines, batch_size=BATCH)
    Instrument.objects.bulk_create(instruments, batch_size=BATCH)
    made = list(Instrument.objects.filter(matter_id__in=[r[0] for r in rows]).values_list("pk", "matter_id"))
    by_matter = {matter_id: pk for pk, matter_id in made}
    DesignatedUser.objects.bulk_create(
        [DesignatedUser(instrument_id=pk, identifier_type="card", value=f"2100{pk:08d}{n}") for pk, _m in made
         for n in range(2)], batch_size=BATCH)
    reviews, scopes = [], []
    for pk, state, _logged_at, counsel, _gagged in rows:
        if steps_of[state] >= 4 and pk in by_matter and counsel:
            determination = {"defective": "defective", "challenged": "challenge"}.get(state, "sufficient")
            reviews.append(Review(instrument_id=by_matter[pk], counsel_id=counsel, determination=determination,
                                  reasons="Reviewed."))
        if state in (State.SCOPE_PROPOSED, State.SCOPE_APPROVED):
            scopes.append(Scope(matter_id=pk, instrument_id=by_matter[pk], record_kinds=["past_loans"],
                                proposed_by=who["director"],
                                status="approved" if state == State.SCOPE_APPROVED else "proposed"))
    Review.objects.bulk_create(reviews, batch_size=BATCH)
    Scope.objects.bulk_create(scopes, batch_size=BATCH)
    approvals = []
    counsel_of = {r[0]: r[3] for r in rows}
    for scope_pk, status, matter_pk in Scope.objects.filter(matter_id__in=[r[0] for r in rows]).values_list(
            "pk", "status", "matter_id"):
        if status == "approved":
            approvals += [ScopeApproval(scope_id=scope_pk, approver=who["director"], as_role="director"),
                          ScopeApproval(scope_id=scope_pk, approver_id=counsel_of[matter_pk], as_role="counsel")]
    ScopeApproval.objects.bulk_create(approvals, batch_size=BATCH)


def audit_entries(total: int) -> None:
    """Append ``total`` properly chained entries in bulk (the same hashing as record())."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        head = cursor.fetchone()
    seq, prev = head if head else (0, GENESIS)
    sqlite = connection.vendor == "sqlite"
    sql = ("INSERT INTO audit_entry (seq, at, actor_id, actor_label, action, object_type, object_id, details, "
           "prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
    written = 0
    while written < total:
        rows = []
        with transaction.atomic(), connection.cursor() as cursor:
            for _ in range(min(BATCH, total - written)):
                seq += 1
                at = timezone.now()
                at_text = canonical_time(at)
                details = canonical_json({"via": "bench"})
                object_id = str(seq % 100000 + 1)
                digest = entry_hash(seq, at_text, None, "cli:bench", "matter.viewed", "matter", object_id, details,
                                    prev)
                rows.append((seq, at_text if sqlite else at, None, "cli:bench", "matter.viewed", "matter", object_id,
                             details, prev, digest))
                prev = digest
            cursor.executemany(sql, rows)
        written += len(rows)
        _progress("audit entries", written, total)
