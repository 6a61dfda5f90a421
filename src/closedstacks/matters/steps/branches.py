"""The branches users expect: a search warrant executed at once, an emergency request, a
parent or guardian, the user's written consent."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from closedstacks.access.roles import Role
from closedstacks.incidents.models import IncidentKind
from closedstacks.incidents.services import refer
from closedstacks.library.choices import InstrumentType, RecordKind
from closedstacks.library.models import GuardianRule, LibraryProfile
from closedstacks.matters import verifying
from closedstacks.matters.errors import Result, require
from closedstacks.matters.models import (
    ConsentRecord,
    EmergencyRecord,
    Matter,
    Scope,
    ScopeApproval,
    WarrantRecord,
)
from closedstacks.matters.states import ApproverRole, Determination, Kind, Outcome, State
from closedstacks.matters.steps.common import directors, name_on, officers
from closedstacks.matters.steps.instruments import create_instrument
from closedstacks.matters.steps.review import save_review
from closedstacks.matters.wording import said


def record_warrant(matter: Matter, by, *, officers_present=(), executed_at=None, counsel_called_at=None,
                   counsel_called: str = "", inventory=(), outside_records_viewed: bool = False,
                   outside_records_note: str = "", **instrument) -> Result:
    """A search warrant is executed at once: nothing waits for approval, and everything is recorded."""
    present = [{k: (p.get(k) or "").strip() for k in ("name", "id", "agency")} for p in officers_present]
    present = [p for p in present if p["name"]]
    require(bool(present), _("Record the officers present: name, ID and agency of each."))
    items = [line.strip() for line in inventory if line and line.strip()]
    require(bool(items), _("List what was taken or copied, item by item (write “nothing” if nothing was)."))
    require(counsel_called_at is not None, _("Record when counsel was called."))
    executed = executed_at or timezone.now()
    require(executed <= timezone.now(), _("The execution time cannot be in the future."))
    require(not outside_records_viewed or bool(outside_records_note.strip()),
            _("Describe which records outside the warrant were viewed."))
    record = create_instrument(matter, by, type=InstrumentType.SEARCH_WARRANT, **instrument)
    WarrantRecord.objects.create(matter=matter, officers_present=present, executed_at=executed,
                                 counsel_called_at=counsel_called_at, counsel_called=counsel_called.strip(),
                                 inventory=items, outside_records_viewed=outside_records_viewed,
                                 outside_records_note=outside_records_note.strip(), recorded_by=by)
    matter.kind = Kind.WARRANT
    if outside_records_viewed:
        refer(kind=IncidentKind.PRIVACY_PROBLEM, by=by, matter=matter,
              summary=_("Records outside the warrant were viewed during its execution (matter %(ref)s).")
              % {"ref": matter.reference})
    return Result(to=State.WARRANT_EXECUTED,
                  summary=said(gettext_noop("Search warrant executed; %(n)d item(s) inventoried."),
                               n=len(items)),
                  details={"instrument": record.pk, "officers": len(present), "items": len(items),
                           "outside_records_viewed": outside_records_viewed},
                  notices=[(directors(matter) + officers(matter), "warrant_recorded")])


def review_after(matter: Matter, by, *, answers: dict, reasons: str, proper: bool = True) -> Result:
    """Counsel reviews a warrant or an emergency disclosure after the fact, and the matter closes."""
    determination = Determination.SUFFICIENT if proper else Determination.DEFECTIVE
    review = save_review(matter, by, answers=answers, determination=determination, reasons=reasons,
                          after_the_fact=True)
    matter.outcome = {Kind.WARRANT: Outcome.WARRANT_EXECUTED, Kind.EMERGENCY: Outcome.EMERGENCY_DECIDED}.get(
        matter.kind, Outcome.NONE)
    if not proper:
        refer(kind=IncidentKind.PRIVACY_PROBLEM, by=by, matter=matter,
              summary=_("Counsel's review afterwards found a problem (matter %(ref)s).") % {"ref": matter.reference})
    return Result(to=State.CLOSED, summary=said(gettext_noop("Reviewed afterwards by counsel and closed.")),
                  details={"review": review.pk, "proper": proper},
                  notices=[(directors(matter) + officers(matter), "matter_closed")])


def record_emergency(matter: Matter, by, *, statement: str, signed_by: str, signed_statement_received: bool,
                     designated=(), agency: str = "") -> Result:
    require(bool(statement.strip()), _("Record the imminent danger, as the requester states it."))
    require(bool(signed_by.strip()), _("Record who signed the statement."))
    require(signed_statement_received,
            _("The requester must sign the statement of imminent danger: print the acknowledgment form."))
    instrument = create_instrument(matter, by, type=InstrumentType.OTHER,
                                   issuing_authority=agency or matter.requester_agency or matter.requester_name,
                                   designation_text=_("Emergency request: identity only."),
                                   record_kinds=[RecordKind.PATRON_RECORD], designated=designated)
    require(instrument.designated_users.exists(), _("Record whom the emergency request is about."))
    EmergencyRecord.objects.create(matter=matter, statement=statement.strip(), signed_by=signed_by.strip(),
                                   signed_statement_received=True, recorded_by=by)
    matter.kind = Kind.EMERGENCY
    return Result(to=State.EMERGENCY_PENDING,
                  summary=said(gettext_noop("Emergency request recorded with a signed statement.")),
                  details={"instrument": instrument.pk}, notices=[(directors(matter), "emergency_pending")])


def decide_emergency(matter: Matter, by, *, disclose: bool, reasons: str, counsel) -> Result:
    """The director decides; a disclosure is limited to identity; counsel reviews afterwards."""
    require(bool(reasons.strip()), _("Give the reasons for the decision."))
    require(counsel is not None and counsel.is_active and Role.COUNSEL in counsel.roles,
            _("Choose the counsel who reviews the decision afterwards."))
    if disclose:
        # Forged emergency requests come from compromised police e-mail accounts with a number of their own.
        verifying.require_sufficient(matter)
    record = matter.emergency
    record.disclose_identity = bool(disclose)
    record.decided_by = by
    record.decided_at = timezone.now()
    record.decision_reasons = reasons.strip()
    record.save()
    matter.counsel = counsel
    name_on(matter, counsel)
    if disclose:
        instrument = matter.current_instrument()
        scope = Scope.objects.create(matter=matter, instrument=instrument, record_kinds=[RecordKind.PATRON_RECORD],
                                     identity_only=True, status=Scope.Status.APPROVED, proposed_by=by,
                                     approved_at=timezone.now())
        scope.users.set(instrument.designated_users.all())
        ScopeApproval.objects.create(scope=scope, approver=by, as_role=ApproverRole.DIRECTOR)
    return Result(to=State.EMERGENCY_DECIDED,
                  summary=said(gettext_noop("Identity disclosed on an emergency.") if disclose
                               else gettext_noop("Emergency disclosure refused.")),
                  details={"disclose": bool(disclose), "counsel": counsel.pk},
                  notices=[([counsel], "review_requested")])


def _jurisdiction_allows(profile: LibraryProfile, *, basis: str, minor_age, uses_minors_card: bool) -> str:
    """How far the library's setting lets the request be honoured; raise if not at all."""
    if basis == "consent":
        require(profile.consent_honoured,
                _("This library's setting does not honour written consent: decline and explain the policy."))
        return _("As far as the written consent goes.")
    rule = profile.guardian_rule
    require(rule != GuardianRule.NONE,
            _("This library's jurisdiction setting does not let a parent or guardian see a minor's records: "
              "decline and explain the policy."))
    if rule == GuardianRule.MINOR:
        require(minor_age is not None and minor_age < profile.guardian_age_limit,
                _("The jurisdiction setting allows this only for a minor under %(age)d.")
                % {"age": profile.guardian_age_limit})
        return _("A custodial parent or guardian of a minor under %(age)d.") % {"age": profile.guardian_age_limit}
    require(uses_minors_card, _("The jurisdiction setting allows this only to a parent or guardian using the "
                                "minor's own card."))
    return _("Only through the minor's own card.")


def record_consent(matter: Matter, by, *, basis: str, verified: bool, verification: str, relationship: str = "",
                   minor_age=None, uses_minors_card: bool = False, designated=(), record_kinds=(),
                   file=None) -> Result:
    require(basis in {"guardian", "consent"}, _("Say whether this is a parent or guardian, or written consent."))
    require(verified and bool(verification.strip()),
            _("Verify the relationship or the consent first, and record how it was verified."))
    if basis == "guardian":
        require(bool(relationship.strip()), _("Record the relationship to the minor."))
    limit = _jurisdiction_allows(LibraryProfile.current(), basis=basis, minor_age=minor_age,
                                 uses_minors_card=uses_minors_card)
    instrument = create_instrument(matter, by, type=InstrumentType.CONSENT,
                                   issuing_authority=matter.requester_name, designated=designated,
                                   record_kinds=record_kinds, designation_text=limit, file=file)
    require(instrument.designated_users.exists(), _("Record whose records are asked for."))
    ConsentRecord.objects.create(matter=matter, basis=basis, relationship=relationship.strip(), minor_age=minor_age,
                                 uses_minors_card=uses_minors_card, verified=True, verification=verification.strip(),
                                 honoured=True, limit=limit, recorded_by=by)
    matter.kind = Kind.GUARDIAN if basis == "guardian" else Kind.CONSENT
    return Result(to=State.RECEIVED, summary=said(gettext_noop("%(basis)s recorded and verified; it goes to counsel."),
                               basis=said(gettext_noop("Guardian's request") if basis == "guardian"
                                          else gettext_noop("Written consent"))),
                  details={"instrument": instrument.pk, "basis": basis},
                  notices=[(directors(matter), "instrument_received")])
