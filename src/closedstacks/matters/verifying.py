"""Verifying a requester and their instrument independently of what they sent.

A forged demand that passes the procedure is still a breach: criminals send fake emergency requests from
compromised police e-mail accounts, with a call-back number of their own printed on the letterhead. So the
officer or the director confirms the request through the library's own directory of agencies and courts
(library.Authority): a call back to the directory's number (the number called is copied from the directory,
never typed from the paper), the clerk of court confirming the case number, the sender's e-mail domain found in
the directory, credentials seen in person.

What does not match is flagged on the matter (``Verification.mismatches``) and may be turned into a report for
the officer with one action. Everything is for the people on the matter only, under its lock, and on the audit
trail by reference: the method, the outcome and the codes of what did not match, never a name or an address.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from closedstacks.access.scopes import user_has_scope
from closedstacks.audit.trail import record
from closedstacks.incidents.models import IncidentKind
from closedstacks.incidents.services import report
from closedstacks.library.choices import EMERGENCY
from closedstacks.library.models import Authority, AuthorityKind, LibraryProfile
from closedstacks.matters.casefile import on_the_matter
from closedstacks.matters.errors import MatterNotFound, ProcedureError
from closedstacks.matters.models import Matter, Verification
from closedstacks.matters.reading import on_matter
from closedstacks.matters.states import State

# Who verifies: the officer (who receives the requester) and the director (who holds the instrument).
VERIFY_SCOPES = ("matter:explain", "matter:instrument")

Method, Mismatch = Verification.Method, Verification.Mismatch

# Where the next step waits on a verification: a scope is approved, an emergency disclosure decided, only then.
NEEDED_AT = frozenset({State.SCOPE_PROPOSED, State.EMERGENCY_PENDING})


def _verifies(user) -> bool:
    return any(user_has_scope(user, scope) for scope in VERIFY_SCOPES)


def _require_verifier(user) -> None:
    if not _verifies(user):
        raise ProcedureError(_("Only the officer or the director verifies a requester."))


def may_verify(matter: Matter, user, *, on: bool | None = None) -> bool:
    """Whether ``user`` may record a verification on ``matter`` (``on``: whether they are on it, if known)."""
    return not matter.is_closed and (on_matter(matter, user) if on is None else on) and _verifies(user)


def _verified_for(matter: Matter, instrument) -> str | None:
    """What the matter's verification must suffice for: "emergency", the current instrument's type, or None when
    there is nothing to verify yet."""
    if matter.kind == "emergency":
        return EMERGENCY
    return instrument.type if instrument is not None else None


_UNREAD = object()


def sufficient(matter: Matter, among: list[Verification] | None = None, instrument=_UNREAD) -> list[Verification]:
    """The verifications that verify the matter's current request: confirmed, matching, by a method the library
    accepts for it, made of its current instrument (a cured or amended instrument is verified again). ``among``
    and ``instrument``: the matter's verifications and its current instrument, if already read."""
    if instrument is _UNREAD:
        instrument = matter.current_instrument()
    kind = _verified_for(matter, instrument)
    if kind is None:
        return []
    accepted = set(LibraryProfile.current().accepted_verifications(kind))
    found = among if among is not None else matter.verifications.filter(confirmed=True, instrument=instrument)
    current = instrument.pk if instrument is not None else None
    return [v for v in found if v.counts and v.method in accepted and v.instrument_id == current]


def require_sufficient(matter: Matter) -> None:
    """ProcedureError, naming the methods the library accepts, unless the matter's current request is verified
    (the gate of a scope's approval, and the condition of an emergency disclosure)."""
    instrument = matter.current_instrument()
    if sufficient(matter, instrument=instrument):
        return
    kind = _verified_for(matter, instrument)
    methods = LibraryProfile.current().accepted_verifications(kind) if kind else []
    labels = _(" or ").join(str(Method(m).label).lower() for m in methods if m in Method.values)
    if matter.kind == "emergency":
        raise ProcedureError(_("Verify the request first, through the directory (%(methods)s): nothing is disclosed "
                               "on an emergency nobody has confirmed is real.") % {"methods": labels})
    raise ProcedureError(_("Verify the requester first, through the directory (%(methods)s): nothing is approved on "
                           "a request nobody has confirmed is real.") % {"methods": labels})


def digits(phone: str) -> str:
    """A telephone number as the digits dialled: ``(555) 010-0100`` and ``555.010.0100`` are one number. A
    leading 1 (the North American country code) is dropped, so ``+1 555 010 0100`` is the same number too."""
    found = "".join(ch for ch in phone if ch.isdigit())
    return found[1:] if len(found) == 11 and found.startswith("1") else found


def _checked(method: str, authority: Authority | None, *, confirmed: bool, number_on_request: str,
             sender_address: str, case_number: str, person_reached: str) -> tuple[bool, list[str]]:
    """Whether the request is confirmed by ``method``, and what did not match; ProcedureError for what is
    missing or cannot be."""
    if method not in Method.values:
        raise ProcedureError(_("Choose how the request was verified."))
    if authority is None and method != Method.IN_PERSON:
        raise ProcedureError(_("Choose the agency or court from the directory: a verification goes through it."))
    if authority is not None and not authority.active:
        raise ProcedureError(_("That agency or court is no longer in use in the directory."))
    mismatches = []
    if method == Method.CALL_BACK:
        if not person_reached.strip():
            raise ProcedureError(_("Say who answered at the directory's number."))
        if number_on_request.strip() and digits(number_on_request) != digits(authority.phone):
            mismatches.append(Mismatch.NUMBER_DIFFERS)
        if not confirmed:
            mismatches.append(Mismatch.NOT_CONFIRMED)
    elif method == Method.CLERK:
        if authority.kind != AuthorityKind.COURT:
            raise ProcedureError(_("The clerk of a court confirms a case: choose the court from the directory."))
        if not case_number.strip():
            raise ProcedureError(_("Give the case number the clerk was asked about."))
        if not confirmed:
            mismatches.append(Mismatch.CASE_UNKNOWN)
    elif method == Method.EMAIL_DOMAIN:
        try:
            validate_email(sender_address.strip())
        except ValidationError:
            raise ProcedureError(_("Give the e-mail address the request came from.")) from None
        # Known or not is read from the directory, whatever was ticked.
        confirmed = authority.knows_domain(sender_address)
        if not confirmed:
            mismatches.append(Mismatch.DOMAIN_UNKNOWN)
    elif method == Method.IN_PERSON:
        if not person_reached.strip():
            raise ProcedureError(_("Say whose credentials were seen."))
        if not confirmed:
            mismatches.append(Mismatch.NOT_CONFIRMED)
    return confirmed, mismatches


def record_verification(reference: str, *, by, method: str, authority: Authority | None = None,
                        confirmed: bool = False, number_on_request: str = "", sender_address: str = "",
                        case_number: str = "", person_reached: str = "", notes: str = "",
                        version: int | None = None) -> Verification:
    """Record how the request on matter ``reference`` was verified; what did not match is flagged with it."""
    _require_verifier(by)
    with on_the_matter(reference, by, version) as matter:
        if matter.is_closed:
            raise ProcedureError(_("The matter is closed."))
        instrument = matter.current_instrument()
        case_number = case_number.strip() or (instrument.case_number if instrument else "")
        confirmed, mismatches = _checked(method, authority, confirmed=confirmed,
                                         number_on_request=number_on_request, sender_address=sender_address,
                                         case_number=case_number, person_reached=person_reached)
        verification = Verification.objects.create(
            matter=matter, instrument=instrument, method=method, authority=authority,
            number_called=authority.phone if method == Method.CALL_BACK else "",
            number_on_request=number_on_request.strip()[:40], sender_address=sender_address.strip()[:254],
            case_number=case_number[:100],
            person_reached=person_reached.strip()[:200], confirmed=confirmed, mismatches=list(mismatches),
            notes=notes.strip(), recorded_by=by)
        record("matter.requester_verified", actor=by, obj=verification, details={
            "verification": verification.pk, "method": method, "confirmed": confirmed,
            "mismatches": list(mismatches), "authority": authority.pk if authority else None,
            "instrument": instrument.pk if instrument else None})
        return verification


def report_mismatch(reference: str, verification_id: int, *, by) -> Verification:
    """Open a report for the officer of what did not match in one verification, linked to the matter."""
    _require_verifier(by)
    with on_the_matter(reference, by, None) as matter:
        verification = Verification.objects.filter(pk=verification_id, matter=matter).select_for_update().first()
        if verification is None:
            raise MatterNotFound(_("No such verification."))
        if not verification.mismatches:
            raise ProcedureError(_("Everything matched: there is nothing to report."))
        if verification.report_id:
            raise ProcedureError(_("This was reported already."))
        who = ", ".join(part for part in (matter.requester_name, matter.requester_agency) if part)
        what = _("Verifying the request on matter %(ref)s (%(how)s) found that %(found)s.") % {
            "ref": matter.reference, "how": verification.get_method_display().lower(),
            "found": "; ".join(verification.mismatch_labels())}
        incident = report(by=by, kind=IncidentKind.UNAUTHORIZED_DEMAND, what=what, who=who, matter=matter,
                          occurred_at=matter.logged_at)
        verification.report = incident
        verification.save(update_fields=["report"])
        record("matter.mismatch_reported", actor=by, obj=verification, details={
            "verification": verification.pk, "report": incident.pk, "mismatches": verification.mismatches})
        return verification
