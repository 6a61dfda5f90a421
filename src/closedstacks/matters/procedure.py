"""The procedure: every move a matter can make, in one table, and the one function that makes it.

Read MOVES to know what can happen next from any state, who may do it, and
what it needs. :func:`perform` is the only way a matter changes: it locks the
matter, refuses a stale form, checks the state, the person's scope and the
matter-level gate, runs the step, and writes the timeline, the audit entry
and the notices — all in one transaction. A refusal raises
:class:`ProcedureError` whose message names what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from closedstacks.access.roles import ROLE_SCOPES, Role
from closedstacks.audit.trail import record
from closedstacks.matters import steps
from closedstacks.matters.errors import MatterNotFound, ProcedureError, Result, StaleMatter
from closedstacks.matters.models import Matter, MatterEvent
from closedstacks.matters.states import CLOSED_STATES, OPEN_STATES, State
from closedstacks.notices.services import notify
from closedstacks.records import holds
from closedstacks.training import gate as training_gate


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: frozenset
    scope: str
    step: Callable  # step(matter, by, **data) -> Result; raises ProcedureError
    gate: Callable | None = None  # gate(matter, by) -> None; raises ProcedureError naming what is missing


def _move(name, label, sources, scope, step, gate=None) -> tuple[str, Move]:
    return name, Move(name, label, frozenset(sources), scope, step, gate)


EARLY = {State.REFERRED, State.EXPLAINED}
ANY_OPEN = OPEN_STATES

MOVES: dict[str, Move] = dict([
    # Step 1: refer at once; the officer explains the policy.
    _move("explain_policy", gettext_lazy("Record that the policy was explained"), EARLY, "matter:explain",
          steps.intake.explain_policy),
    _move("decline", gettext_lazy("Decline: no instrument"), EARLY, "matter:explain",
          steps.intake.decline, steps.intake.gate_decline),
    _move("refer_incident", gettext_lazy("Refer a threat or unauthorized demand"), ANY_OPEN | CLOSED_STATES,
          "matter:explain", steps.intake.refer_incident),
    # Step 2: an instrument; the director consults counsel.
    _move("attach_instrument", gettext_lazy("Attach the instrument"), EARLY, "matter:instrument",
          steps.instruments.attach),
    _move("assign_counsel", gettext_lazy("Assign counsel"),
          {State.RECEIVED, State.IN_REVIEW, State.WARRANT_EXECUTED}, "matter:assign", steps.review.assign_counsel),
    _move("determine", gettext_lazy("Record counsel's determination"), {State.IN_REVIEW}, "matter:review",
          steps.review.determine, steps.review.gate_assigned_counsel),
    # Step 3: defects cured before release.
    _move("cure", gettext_lazy("Attach the cured or amended instrument"), {State.DEFECTIVE}, "matter:instrument",
          steps.instruments.cure),
    _move("challenge_outcome", gettext_lazy("Record how the challenge ended"), {State.CHALLENGED},
          "matter:review", steps.review.challenge_outcome, steps.review.gate_assigned_counsel),
    # Step 4: the designated records become a scope, approved by two people.
    _move("propose_scope", gettext_lazy("Propose the scope"), {State.SUFFICIENT}, "matter:scope",
          steps.scopes.propose, steps.scopes.gate_scope_maker),
    _move("approve_scope", gettext_lazy("Approve the scope"), {State.SCOPE_PROPOSED}, "matter:scope",
          steps.scopes.approve, steps.scopes.gate_approver),
    _move("return_scope", gettext_lazy("Return the scope for changes"), {State.SCOPE_PROPOSED}, "matter:scope",
          steps.scopes.return_scope, steps.scopes.gate_scope_maker),
    # ... compiled by the custodian, reviewed by counsel, released once; a correction supersedes.
    _move("compile_production", gettext_lazy("Compile the production"),
          {State.SCOPE_APPROVED, State.PRODUCTION_REVIEW, State.PRODUCTION_APPROVED, State.RELEASED},
          "matter:produce", steps.productions.compile_production, steps.productions.gate_custodian),
    _move("approve_production", gettext_lazy("Approve the production"), {State.PRODUCTION_REVIEW}, "matter:review",
          steps.productions.approve_production, steps.review.gate_assigned_counsel),
    _move("return_production", gettext_lazy("Send the production back"), {State.PRODUCTION_REVIEW},
          "matter:review", steps.productions.return_production, steps.review.gate_assigned_counsel),
    _move("release_production", gettext_lazy("Record the release"), {State.PRODUCTION_APPROVED}, "matter:release",
          steps.productions.release),
    _move("close_released", gettext_lazy("Close the matter"), {State.RELEASED}, "matter:close",
          steps.productions.close_released),
    _move("assign_custodian", gettext_lazy("Assign the records custodian"), ANY_OPEN, "matter:assign",
          steps.scopes.assign_custodian),
    _move("name_person", gettext_lazy("Name a colleague on the matter"), ANY_OPEN, "matter:assign",
          steps.review.name_person),
    # Branches.
    _move("record_warrant", gettext_lazy("Record a search warrant executed"), EARLY, "matter:warrant",
          steps.branches.record_warrant),
    _move("review_after", gettext_lazy("Review afterwards and close"),
          {State.WARRANT_EXECUTED, State.EMERGENCY_DECIDED}, "matter:review", steps.branches.review_after,
          steps.review.gate_assigned_counsel),
    _move("record_emergency", gettext_lazy("Record an emergency request"), EARLY, "matter:explain",
          steps.branches.record_emergency),
    _move("decide_emergency", gettext_lazy("Decide the emergency request"), {State.EMERGENCY_PENDING},
          "matter:decide", steps.branches.decide_emergency),
    _move("record_consent", gettext_lazy("Record a guardian's or the user's consent"), {State.EXPLAINED},
          "matter:explain", steps.branches.record_consent),
    _move("withdraw", gettext_lazy("Close as withdrawn"), ANY_OPEN, "matter:withdraw", steps.intake.withdraw),
])


def require_current_training(by) -> None:
    """When the library requires it, the privileged roles act on a matter only with their training current."""
    refused = training_gate.refusal(by)
    if refused:
        raise ProcedureError(refused)


def _state_label(state: str) -> str:
    return str(State(state).label)


def check(matter: Matter, name: str, by) -> Move:
    """The move, if ``by`` may make it on ``matter`` now; otherwise ProcedureError saying why not."""
    move = MOVES.get(name)
    if move is None:
        raise ProcedureError(_("There is no step called %(name)s.") % {"name": name})
    if matter.state not in move.sources:
        raise ProcedureError(_("“%(move)s” is not possible while the matter is “%(state)s”.")
                             % {"move": move.label, "state": _state_label(matter.state)})
    if move.scope not in by.scopes:
        holders = [str(Role(role).label).lower() for role, scopes in ROLE_SCOPES.items() if move.scope in scopes]
        raise ProcedureError(_("“%(move)s” is for the %(roles)s.") % {"move": move.label,
                                                                      "roles": _(" or the ").join(holders)})
    require_current_training(by)  # when the library requires it, for the privileged roles only
    if move.gate is not None:
        move.gate(matter, by)
    return move


def available(matter: Matter, by) -> list[Move]:
    """The moves ``by`` could make on ``matter`` now (their data is checked when made)."""
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
    refused = None
    try:
        return _perform(pk, name, by=by, version=version, data=data)
    except _Refused as exc:
        refused = exc
    record_refusal(refused.matter, name, by, str(refused.error))
    raise refused.error


class _Refused(Exception):
    def __init__(self, matter: Matter, error: ProcedureError):
        super().__init__(str(error))
        self.matter, self.error = matter, error


def _perform(pk: int, name: str, *, by, version: int | None, data: dict) -> Matter:
    with transaction.atomic():
        locked = Matter.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=pk).first()
        if locked is None:
            raise MatterNotFound(_("No such matter."))
        if version is not None and int(version) != locked.version:
            raise StaleMatter(_("While you were working, someone else changed this matter (it is now “%(state)s”). "
                                "Nothing you entered was saved: look at the matter again, then try again.")
                              % {"state": _state_label(locked.state)})
        try:
            move = check(locked, name, by)
        except ProcedureError as exc:
            raise _Refused(locked, exc) from None
        before = locked.state
        result: Result = move.step(locked, by, **data)
        if result.to is not None:
            locked.state = result.to
        if locked.state != State.SCOPE_PROPOSED:
            locked.awaiting = ""  # only a proposed scope awaits approvals
        if locked.state in CLOSED_STATES and locked.closed_at is None:
            locked.closed_at = timezone.now()
            holds.lift_for(locked, by=by)  # legal holds end with the matter, and only then
        locked.version += 1
        locked.save()
        MatterEvent.objects.create(matter=locked, actor=by, action=name, from_state=before,
                                   to_state=locked.state if locked.state != before else "",
                                   summary=result.summary[:300])
        record(f"matter.{name}", actor=by, obj=locked,
               details={"from": before, "to": locked.state, **result.details})
        for recipients, template in result.notices:
            notify(recipients, template=template, context={"matter": locked}, url=f"/matters/{locked.reference}/")
    return locked


__all__ = ["MOVES", "Move", "MatterNotFound", "ProcedureError", "Result", "StaleMatter", "available", "check",
           "perform", "record_refusal"]
