"""The procedure: every move a matter can make, in one table, and the one function that makes it.

Read MOVES to know what can happen next from any state: for each move, the states it starts from, the states
it may lead to, the scope a person needs, the matter-level conditions (gates, in gates.py), the step that does
it and the notices it may send. ``closedstacks procedure table`` prints it (docs/architecture.md holds a copy
that a test keeps true).

:func:`perform` is the only way a matter changes: it locks the matter, refuses a stale form, checks the state,
the person's scope and every gate, runs the step, refuses a result the table does not allow, and writes the
timeline, the audit entry and the notices — all in one transaction. A refusal raises :class:`ProcedureError`
whose message names what is missing. Because every matter-level condition is a gate, :func:`available` offers
a person exactly the moves that can succeed for them now; the steps check only the data entered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from closedstacks.access.roles import ROLE_SCOPES, Role
from closedstacks.audit import changes
from closedstacks.audit.trail import record
from closedstacks.matters import gates, steps, summary, wording
from closedstacks.matters.errors import MatterNotFound, ProcedureError, Result, StaleMatter
from closedstacks.matters.models import Matter, MatterEvent
from closedstacks.matters.states import CLOSED_STATES, EARLY_STATES, OPEN_STATES, Awaiting, State
from closedstacks.notices.services import notify
from closedstacks.records import holds

STAY = "(stays)"  # in a move's targets: the matter may stay in the state it was in


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    paths: dict  # each state it starts from → the states it may lead to from there (STAY: where it was)
    scope: str  # the scope a person needs for it (access/roles.py says which roles hold it)
    step: Callable  # step(matter, by, **data) -> Result; raises ProcedureError on the data
    gates: tuple = ()  # gate(matter, by) -> None, raising ProcedureError naming what is missing
    notices: frozenset = frozenset()  # the notice templates its step may send
    production_page: bool = False  # also offered on the production's page

    @property
    def sources(self) -> frozenset:
        return frozenset(self.paths)

    @property
    def targets(self) -> frozenset:
        return frozenset().union(*self.paths.values())

    def allows(self, result: Result, before: str) -> None:
        """Refuse a step's result the table does not allow: a step may never take a matter anywhere else."""
        allowed = self.paths.get(before, frozenset())
        stays = result.to is None or result.to == before
        if not ((stays and STAY in allowed) or result.to in allowed):
            raise ProcedureBug(f"{self.name} led from {before} to {result.to or before}, which its paths do not allow")
        sent = {template for _people, template in result.notices} - self.notices
        if sent:
            raise ProcedureBug(f"{self.name} sent notices it does not declare: {sorted(sent)}")


class ProcedureBug(RuntimeError):
    """A step did something its move does not declare: a programming error, and nothing of it is saved."""


def _move(name, label, sources, to, scope, step, *, gates=(), notices=(), production_page=False) -> tuple:
    """``to``: the states the move may lead to, from every source alike, or a dict of them per source."""
    paths = {source: frozenset(to[source] if isinstance(to, dict) else to) for source in sources}
    return name, Move(name, label, paths, scope, step, tuple(gates), frozenset(notices), production_page)


S = State
EARLY = EARLY_STATES
PRODUCING = {S.SCOPE_APPROVED, S.PRODUCTION_REVIEW, S.PRODUCTION_APPROVED, S.RELEASED}
intake, instruments, review, scopes, productions, branches = (
    steps.intake, steps.instruments, steps.review, steps.scopes, steps.productions, steps.branches)

MOVES: dict[str, Move] = dict([
    # Step 1: refer at once; the officer explains the policy.
    _move("explain_policy", gettext_lazy("Record that the policy was explained"), EARLY,
          {S.REFERRED: {S.EXPLAINED}, S.EXPLAINED: {STAY}}, "matter:explain", intake.explain_policy,
          gates=[gates.policy_written]),
    _move("decline", gettext_lazy("Decline: no instrument"), EARLY, {S.DECLINED},
          "matter:explain", intake.decline, gates=[gates.explained_first]),
    _move("refer_incident", gettext_lazy("Refer a threat or unauthorized demand"), OPEN_STATES | CLOSED_STATES,
          {STAY}, "matter:explain", intake.refer_incident),
    # Step 2: an instrument; the director consults counsel.
    _move("attach_instrument", gettext_lazy("Attach the instrument"), EARLY, {S.RECEIVED},
          "matter:instrument", instruments.attach, notices=["instrument_received"]),
    _move("assign_counsel", gettext_lazy("Assign counsel"), {S.RECEIVED, S.IN_REVIEW, S.WARRANT_EXECUTED},
          {S.RECEIVED: {S.IN_REVIEW}, S.IN_REVIEW: {STAY}, S.WARRANT_EXECUTED: {STAY}}, "matter:assign",
          review.assign_counsel, notices=["review_requested"]),
    _move("determine", gettext_lazy("Record counsel's determination"), {S.IN_REVIEW},
          {S.SUFFICIENT, S.DEFECTIVE, S.CHALLENGED}, "matter:review", review.determine,
          gates=[gates.assigned_counsel], notices=["determination_recorded"]),
    # Step 3: defects cured before release.
    _move("cure", gettext_lazy("Attach the cured or amended instrument"), {S.DEFECTIVE}, {S.IN_REVIEW},
          "matter:instrument", instruments.cure, gates=[gates.counsel_on_matter], notices=["review_requested"]),
    _move("challenge_outcome", gettext_lazy("Record how the challenge ended"), {S.CHALLENGED},
          {S.SUFFICIENT, S.QUASHED, S.WITHDRAWN}, "matter:review", review.challenge_outcome,
          gates=[gates.assigned_counsel], notices=["determination_recorded", "matter_closed"]),
    # Step 4: the designated records become a scope, approved by two people ...
    _move("propose_scope", gettext_lazy("Propose the scope"), {S.SUFFICIENT}, {S.SCOPE_PROPOSED},
          "matter:scope", scopes.propose, gates=[gates.scope_maker, gates.sufficient_instrument, gates.discloses,
                                                         gates.scopable],
          notices=["scope_proposed"]),
    _move("approve_scope", gettext_lazy("Approve the scope"), {S.SCOPE_PROPOSED}, {S.SCOPE_APPROVED, STAY},
          "matter:scope", scopes.approve, gates=[gates.second_approver, gates.sufficient_instrument,
                                                  gates.requester_verified],
          notices=["scope_approval_needed", "scope_approved"]),
    _move("return_scope", gettext_lazy("Return the scope for changes"), {S.SCOPE_PROPOSED}, {S.SUFFICIENT},
          "matter:scope", scopes.return_scope, gates=[gates.scope_maker, gates.scope_proposed],
          notices=["scope_returned"]),
    # ... compiled by the custodian, reviewed by counsel, released once; a correction supersedes.
    _move("compile_production", gettext_lazy("Compile the production"), PRODUCING, {S.PRODUCTION_REVIEW},
          "matter:produce", productions.compile_production,
          gates=[gates.assigned_custodian, gates.scope_to_compile], production_page=True),
    _move("approve_production", gettext_lazy("Approve the production"), {S.PRODUCTION_REVIEW},
          {S.PRODUCTION_APPROVED}, "matter:review", productions.approve_production,
          gates=[gates.assigned_counsel, gates.production_to_review, gates.not_the_compiler,
                 gates.production_checks], notices=["production_approved"], production_page=True),
    _move("return_production", gettext_lazy("Send the production back"), {S.PRODUCTION_REVIEW},
          {S.SCOPE_APPROVED}, "matter:review", productions.return_production,
          gates=[gates.assigned_counsel, gates.production_to_review], notices=["production_returned"],
          production_page=True),
    _move("release_production", gettext_lazy("Record the release"), {S.PRODUCTION_APPROVED}, {S.RELEASED},
          "matter:release", productions.release, gates=[gates.production_approved],
          notices=["production_released"], production_page=True),
    _move("close_released", gettext_lazy("Close the matter"), {S.RELEASED}, {S.CLOSED},
          "matter:close", productions.close_released, notices=["matter_closed"], production_page=True),
    # The people on a matter.
    _move("assign_custodian", gettext_lazy("Assign the records custodian"), OPEN_STATES, {STAY},
          "matter:assign", scopes.assign_custodian, notices=["custodian_assigned"]),
    _move("name_person", gettext_lazy("Name a colleague on the matter"), OPEN_STATES, {STAY},
          "matter:assign", review.name_person, notices=["named_on_matter"]),
    # Branches.
    _move("record_warrant", gettext_lazy("Record a search warrant executed"), EARLY, {S.WARRANT_EXECUTED},
          "matter:warrant", branches.record_warrant, notices=["warrant_recorded"]),
    _move("review_after", gettext_lazy("Review afterwards and close"), {S.WARRANT_EXECUTED, S.EMERGENCY_DECIDED},
          {S.CLOSED}, "matter:review", branches.review_after, gates=[gates.assigned_counsel],
          notices=["matter_closed"]),
    _move("record_emergency", gettext_lazy("Record an emergency request"), EARLY, {S.EMERGENCY_PENDING},
          "matter:explain", branches.record_emergency, gates=[gates.emergency_allowed],
          notices=["emergency_pending"]),
    _move("decide_emergency", gettext_lazy("Decide the emergency request"), {S.EMERGENCY_PENDING},
          {S.EMERGENCY_DECIDED}, "matter:decide", branches.decide_emergency, gates=[gates.emergency_allowed],
          notices=["review_requested"]),
    _move("record_consent", gettext_lazy("Record a guardian's or the user's consent"), {S.EXPLAINED},
          {S.RECEIVED}, "matter:explain", branches.record_consent, gates=[gates.consent_or_guardians_honoured],
          notices=["instrument_received"]),
    # A nondisclosure order ends (lifted, expired, set aside): the seal ends with it.
    _move("end_nondisclosure", gettext_lazy("Record that the nondisclosure order has ended"),
          OPEN_STATES | CLOSED_STATES, {STAY}, "matter:instrument", instruments.end_nondisclosure,
          gates=[gates.order_in_force]),
    _move("withdraw", gettext_lazy("Close as withdrawn"), OPEN_STATES, {S.WITHDRAWN},
          "matter:withdraw", intake.withdraw, notices=["matter_closed"]),
])

# Checked for every move, after the scope: the library may require current training of the privileged roles.
EVERY_MOVE = (gates.current_training,)


def require_current_training(by) -> None:
    """When the library requires it, the privileged roles act on a matter only with their training current."""
    gates.current_training(None, by)


def _state_label(state: str) -> str:
    return str(State(state).label)


def holders_of(scope: str) -> list[str]:
    """The roles holding ``scope``, as people read them."""
    return [str(Role(role).label).lower() for role, scopes in ROLE_SCOPES.items() if scope in scopes]


def check(matter: Matter, name: str, by) -> Move:
    """The move, if ``by`` may make it on ``matter`` now; otherwise ProcedureError saying why not."""
    move = MOVES.get(name)
    if move is None:
        raise ProcedureError(_("There is no step called %(name)s.") % {"name": name})
    if matter.state not in move.sources:
        raise ProcedureError(_("“%(move)s” is not possible while the matter is “%(state)s”.")
                             % {"move": move.label, "state": _state_label(matter.state)})
    if move.scope not in by.scopes:
        raise ProcedureError(_("“%(move)s” is for the %(roles)s.") % {"move": move.label,
                                                                      "roles": _(" or the ").join(
                                                                          holders_of(move.scope))})
    for gate in (*EVERY_MOVE, *move.gates):
        gate(matter, by)
    return move


def available(matter: Matter, by, *, opened: bool = False) -> list[Move]:
    """The moves ``by`` can make on ``matter`` now: every gate passes (the data is checked when made). None for
    a matter they may not open (``opened``: the caller opened it for them, reading.open_matter)."""
    if not opened and not Matter.objects.visible_to(by).filter(pk=matter.pk).exists():
        return []
    found = []
    for name in MOVES:
        try:
            found.append(check(matter, name, by))
        except ProcedureError:
            continue
    return found


def record_refusal(matter: Matter, name: str, by, reason: str) -> None:
    """A move refused by the procedure (wrong state, scope or gate) is itself on the audit trail."""
    with transaction.atomic():
        record("matter.move_refused", actor=by, obj=matter,
               details={"move": name if name in MOVES else "?", "state": matter.state, "reason": reason[:300]})


def perform(matter: Matter | int, name: str, *, by, version: int | None = None, **data) -> Matter:
    """Make one move. ``version`` is the matter's version the person saw; a newer one refuses the move.

    A move the procedure refuses (state, scope or gate) raises ProcedureError and is recorded as
    ``matter.move_refused``; a step that refuses its data raises ProcedureError and records nothing.
    """
    pk = matter.pk if isinstance(matter, Matter) else matter
    try:
        return _perform(pk, name, by=by, version=version, data=data)
    except _Refused as refused:
        record_refusal(refused.matter, name, by, str(refused.error))
        raise refused.error from None


class _Refused(Exception):
    def __init__(self, matter: Matter, error: ProcedureError):
        super().__init__(str(error))
        self.matter, self.error = matter, error


def _stale(locked: Matter) -> StaleMatter:
    return StaleMatter(_("While you were working, someone else changed this matter (it is now “%(state)s”). "
                         "Nothing you entered was saved: look at the matter again, then try again.")
                       % {"state": _state_label(locked.state)})


def _perform(pk: int, name: str, *, by, version: int | None, data: dict) -> Matter:
    with changes.locked(Matter.objects.visible_to(by), pk=pk, version=version,
                        missing=MatterNotFound(_("No such matter.")), stale=_stale) as locked:
        try:
            move = check(locked, name, by)
        except ProcedureError as exc:
            raise _Refused(locked, exc) from None
        before = locked.state
        result: Result = move.step(locked, by, **data)
        move.allows(result, before)
        steps.common.name_on(locked, by)  # whoever acts on a matter is one of the people on it from then on
        if result.to is not None:
            locked.state = result.to
        if locked.state != State.SCOPE_PROPOSED:
            locked.awaiting = Awaiting.NONE  # only a proposed scope awaits approvals
        if locked.state in CLOSED_STATES and locked.closed_at is None:
            locked.closed_at = timezone.now()
            holds.lift_for(locked, by=by)  # legal holds end with the matter, and only then
        summary.refresh(locked)  # the lists' copies of its instrument and next deadline, saved with it
        changes.save(locked, by=by, action=f"matter.{name}", details={"from": before, "to": locked.state,
                                                                       **result.details},
                     event=lambda saved: MatterEvent.objects.create(
                         matter=saved, actor=by, action=name, from_state=before,
                         to_state=saved.state if saved.state != before else "",
                         summary=wording.english(result.summary)[:300], message=wording.parts(result.summary)[0],
                         params=wording.parts(result.summary)[1]))
        for recipients, template in result.notices:
            notify(recipients, template=template, context={"matter": locked}, url=f"/matters/{locked.reference}/",
                   matter=locked)
    return locked


__all__ = ["MOVES", "STAY", "Move", "MatterNotFound", "ProcedureBug", "ProcedureError", "Result", "StaleMatter",
           "available", "check", "perform", "record_refusal"]
