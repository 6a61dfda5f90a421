"""Step 4: the designated records become a scope, approved by the director and counsel.

A scope is never wider than the instrument designates. Approval takes two
different people, the director and counsel, and neither may be the
custodian who will compile the records.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from closedstacks.access.roles import Role
from closedstacks.library.choices import RecordKind
from closedstacks.matters import gates
from closedstacks.matters.errors import Result, require
from closedstacks.matters.models import Matter, Scope, ScopeApproval
from closedstacks.matters.states import ApproverRole, Awaiting, State
from closedstacks.matters.steps.common import assigned, directors, name_on
from closedstacks.matters.wording import said


def propose(matter: Matter, by, *, users=(), record_kinds=(), date_from=None, date_to=None) -> Result:
    instrument = matter.current_instrument()  # sufficient, and not a preservation request (gates)
    designated = {person.pk: person for person in instrument.designated_users.all()}
    chosen = [int(pk) for pk in users]
    require(bool(chosen), _("Choose at least one of the users the instrument designates."))
    require(set(chosen) <= set(designated), _("The scope may name only users the instrument designates."))
    kinds = list(dict.fromkeys(record_kinds))
    require(bool(kinds), _("Choose at least one kind of record."))
    require(set(kinds) <= set(instrument.record_kinds),
            _("The scope is wider than the instrument: it designates only %(kinds)s. Widening it needs a new "
              "instrument and a new review.")
            % {"kinds": ", ".join(str(RecordKind(k).label).lower() for k in instrument.record_kinds) or _("nothing")})
    require(not (date_from and date_to and date_from > date_to), _("The dates run backwards."))
    if instrument.date_from:
        require(date_from is not None and date_from >= instrument.date_from,
                _("The scope starts before the instrument's dates (%(day)s): it may not be wider.")
                % {"day": instrument.date_from})
    if instrument.date_to:
        require(date_to is not None and date_to <= instrument.date_to,
                _("The scope ends after the instrument's dates (%(day)s): it may not be wider.")
                % {"day": instrument.date_to})
    matter.scopes.filter(status=Scope.Status.PROPOSED).update(status=Scope.Status.RETURNED)
    scope = Scope.objects.create(matter=matter, instrument=instrument, record_kinds=kinds, date_from=date_from,
                                 date_to=date_to, proposed_by=by)
    scope.users.set([designated[pk] for pk in chosen])
    matter.awaiting = Awaiting.BOTH
    return Result(to=State.SCOPE_PROPOSED,
                  summary=said(gettext_noop("Scope proposed: %(users)d user(s), %(kinds)d kind(s) of record."),
                               users=len(chosen), kinds=len(kinds)),
                  details={"scope": scope.pk, "users": len(chosen), "kinds": kinds},
                  notices=[(directors(matter) + assigned(matter.counsel), "scope_proposed")])


def approve(matter: Matter, by) -> Result:
    scope = gates.pending_scope(matter)  # there is one, and ``by`` may give the approval it lacks (gates)
    slot = gates.approver_slot(matter, by)
    ScopeApproval.objects.create(scope=scope, approver=by, as_role=slot)
    approvals = list(scope.approvals.all())
    both = {a.as_role for a in approvals} == set(ApproverRole.values) and len({a.approver_id for a in approvals}) == 2
    matter.awaiting = Awaiting.NONE if both else (
        Awaiting.COUNSEL if slot == ApproverRole.DIRECTOR else Awaiting.DIRECTOR)
    if not both:
        return Result(summary=said(gettext_noop("Scope approved by the %(role)s; the other approval is still needed."),
                                   role=ApproverRole(slot).label), details={"scope": scope.pk, "as": slot},
                      notices=[(directors(matter) + assigned(matter.counsel), "scope_approval_needed")])
    scope.status = Scope.Status.APPROVED
    scope.approved_at = timezone.now()
    scope.save(update_fields=["status", "approved_at"])
    return Result(to=State.SCOPE_APPROVED, summary=said(gettext_noop("Scope approved by the director and counsel.")),
                  details={"scope": scope.pk, "as": slot, "approvers": sorted(a.approver_id for a in approvals)},
                  notices=[(directors(matter) + assigned(matter.counsel) + assigned(matter.custodian),
                            "scope_approved")])


def return_scope(matter: Matter, by, *, reason: str) -> Result:
    require(bool(reason.strip()), _("Say what must change."))
    scope = gates.pending_scope(matter)  # there is one (gates)
    scope.status = Scope.Status.RETURNED
    scope.save(update_fields=["status"])
    matter.awaiting = Awaiting.NONE
    return Result(to=State.SUFFICIENT,
                  summary=said(gettext_noop("Scope returned for changes: %(reason)s"), reason=reason),
                  details={"scope": scope.pk}, notices=[(directors(matter) + assigned(matter.counsel),
                                                         "scope_returned")])


def assign_custodian(matter: Matter, by, *, custodian) -> Result:
    require(custodian is not None and custodian.is_active and Role.CUSTODIAN in custodian.roles,
            _("Choose an active person who holds the records custodian role."))
    require(custodian.pk != matter.counsel_id, _("Counsel on this matter cannot also compile its records."))
    require(not ScopeApproval.objects.filter(scope__matter=matter, approver=custodian).exists(),
            _("%(name)s approved this matter's scope and so cannot compile it.") % {"name": custodian.display_name})
    matter.custodian = custodian
    name_on(matter, custodian)
    return Result(summary=said(gettext_noop("Records custodian assigned: %(name)s."), name=custodian.display_name),
                  details={"custodian": custodian.pk}, notices=[([custodian], "custodian_assigned")])
