"""Every matter-level condition a move has, each a gate.

A gate is ``gate(matter, by)``: it returns quietly when the condition holds and raises ProcedureError naming
what is missing when it does not. Its docstring is the condition as the procedure's table prints it
(``closedstacks procedure table``). The procedure checks a move's gates after its state and scope, so
``available()`` offers a person exactly the moves that can succeed for them now, and again under the
matter's lock when the move is made; the steps then check only the data a person entered.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from closedstacks.access.roles import Role
from closedstacks.library.choices import InstrumentType
from closedstacks.library.models import GuardianRule, LibraryProfile, PolicyVersion
from closedstacks.matters import verifying
from closedstacks.matters.errors import require
from closedstacks.matters.models import Matter, Scope
from closedstacks.matters.states import ApproverRole, Determination
from closedstacks.records import production as productions
from closedstacks.records.models import Production, Release
from closedstacks.training import gate as training


def current_training(matter: Matter, by) -> None:
    """their training is current, where the library requires it (officers, directors, counsel, custodians)"""
    refused = training.refusal(by)
    require(not refused, refused or "")


def policy_written(matter: Matter, by) -> None:
    """the library has a confidentiality policy"""
    require(PolicyVersion.current() is not None,
            _("There is no confidentiality policy yet: the officer writes it first."))


def explained_first(matter: Matter, by) -> None:
    """the policy was explained to the requester"""
    require(matter.explanations.exists(),
            _("Record that the policy was explained first: a declined requester receives the explanation."))


def counsel_on_matter(matter: Matter, by) -> None:
    """counsel is assigned"""
    require(matter.counsel_id is not None, _("Assign counsel first: the cured instrument is reviewed again."))


def assigned_counsel(matter: Matter, by) -> None:
    """by the counsel assigned"""
    require(matter.counsel_id == by.pk, _("Only the counsel assigned to this matter can do this."))


def assigned_custodian(matter: Matter, by) -> None:
    """by the custodian assigned"""
    require(matter.custodian_id == by.pk, _("Only the records custodian assigned to this matter compiles its "
                                            "records. The director assigns one."))


def scope_maker(matter: Matter, by) -> None:
    """by the director or the counsel assigned"""
    require(Role.DIRECTOR in by.roles or matter.counsel_id == by.pk,
            _("Only the director or the counsel assigned to this matter can do this."))


def has_sufficient_review(matter: Matter) -> bool:
    """Whether counsel's latest review of the current instrument found it sufficient."""
    instrument = matter.current_instrument()
    if instrument is None:
        return False
    latest = instrument.reviews.filter(after_the_fact=False).order_by("-decided_at", "-pk").first()
    return latest is not None and latest.determination == Determination.SUFFICIENT


def sufficient_instrument(matter: Matter, by) -> None:
    """counsel found the current instrument sufficient"""
    require(has_sufficient_review(matter), _("A scope needs an instrument that counsel found sufficient."))


def discloses(matter: Matter, by) -> None:
    """the instrument asks for records, not only their preservation"""
    instrument = matter.current_instrument()
    require(instrument is None or instrument.type != InstrumentType.PRESERVATION_REQUEST,
            _("A preservation request only preserves records: disclosing them needs its own process."))


def scopable(matter: Matter, by) -> None:
    """the instrument designates users and kinds of record"""
    instrument = matter.current_instrument()
    require(instrument is not None and instrument.designated_users.exists() and bool(instrument.record_kinds),
            _("The instrument designates no user or no kind of record, and a scope names only what it designates: "
              "counsel can find it defective, so that a cured one says what it asks for."))


def pending_scope(matter: Matter) -> Scope | None:
    return matter.scopes.filter(status=Scope.Status.PROPOSED).order_by("-pk").first()


def approved_scope(matter: Matter) -> Scope | None:
    return matter.scopes.filter(status=Scope.Status.APPROVED).order_by("-pk").first()


def scope_proposed(matter: Matter, by) -> None:
    """a scope is proposed"""
    require(pending_scope(matter) is not None, _("There is no proposed scope."))


def approver_slot(matter: Matter, by) -> str | None:
    """The part ``by`` plays in approving this matter's scope, if any: counsel first, then the director."""
    if matter.counsel_id == by.pk:
        return ApproverRole.COUNSEL
    if Role.DIRECTOR in by.roles:
        return ApproverRole.DIRECTOR
    return None


def second_approver(matter: Matter, by) -> None:
    """by the director or the counsel assigned, whichever has not approved, never the custodian"""
    slot = approver_slot(matter, by)
    require(slot is not None, _("Approval comes from the director and from the counsel assigned to this matter."))
    require(matter.custodian_id != by.pk, _("The custodian who will compile the records cannot approve their scope."))
    scope = pending_scope(matter)
    require(scope is not None, _("There is no proposed scope to approve."))
    require(not scope.approvals.filter(approver=by).exists(),
            _("You have approved this scope already; the second approval must come from someone else."))
    require(not scope.approvals.filter(as_role=slot).exists(),
            _("The %(role)s's approval is already given; the other approval is still needed.")
            % {"role": ApproverRole(slot).label})


def scope_to_compile(matter: Matter, by) -> None:
    """an approved scope of the current, sufficient instrument"""
    scope = approved_scope(matter)
    require(scope is not None, _("There is no approved scope to compile."))
    require(has_sufficient_review(matter) and scope.instrument_id == getattr(matter.current_instrument(), "pk", None),
            _("The approved scope no longer matches a sufficient instrument."))


def _current(matter: Matter) -> Production | None:
    return productions.current(matter)


def production_to_review(matter: Matter, by) -> None:
    """the current production is compiled and not yet reviewed"""
    current = _current(matter)
    require(current is not None, _("There is no production to review."))
    require(current.status == Production.Status.READY,
            _("Production %(n)s is still being compiled.") % {"n": current.number}
            if current.status == Production.Status.COMPILING else
            _("Production %(n)s could not be compiled; the custodian must compile it again.") % {"n": current.number})
    require(not current.review, _("Production %(n)s has been reviewed already.") % {"n": current.number})


def not_the_compiler(matter: Matter, by) -> None:
    """not by the custodian who compiled it"""
    current = _current(matter)
    require(current is None or current.requested_by_id != by.pk,
            _("The custodian who compiled a production cannot approve it."))


def production_checks(matter: Matter, by) -> None:
    """the production passes the checks that keep it within the scope"""
    current = _current(matter)
    failed = [check.statement for check in productions.checks(current) if check.blocking and not check.passed] \
        if current is not None and current.status == Production.Status.READY else []
    require(not failed, _("This production cannot be approved: %(failed)s Send it back, and the custodian "
                          "compiles it again.") % {"failed": " ".join(f"Not so: {text}" for text in failed)})


def production_approved(matter: Matter, by) -> None:
    """counsel approved the current production and it is not yet released"""
    current = _current(matter)
    require(current is not None and current.review == Production.Review.APPROVED,
            _("Only a production counsel has approved can be released."))
    require(not Release.objects.filter(production=current).exists(),
            _("Production %(n)s has been released already; a release is recorded once.") % {"n": current.number})


def requester_verified(matter: Matter, by) -> None:
    """the requester and the instrument were verified through the directory, by a method the library accepts"""
    verifying.require_sufficient(matter)


def emergency_allowed(matter: Matter, by) -> None:
    """the library's jurisdiction allows emergency disclosure"""
    require(LibraryProfile.current().emergency_disclosure_allowed,
            _("This library's jurisdiction setting does not allow emergency disclosure: explain the policy and "
              "ask for legal process."))


def consent_or_guardians_honoured(matter: Matter, by) -> None:
    """the library honours a user's written consent or a parent's or guardian's request"""
    profile = LibraryProfile.current()
    require(profile.consent_honoured or profile.guardian_rule != GuardianRule.NONE,
            _("This library's settings honour neither a user's written consent nor a parent or guardian: decline "
              "and explain the policy."))


def order_in_force(matter: Matter, by) -> None:
    """a nondisclosure order is in force"""
    require(matter.under_nondisclosure, _("No nondisclosure order is in force on this matter."))
