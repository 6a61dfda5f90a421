"""The audit trail in words: what each action code, object type and detail means to the people who read it.

The trail stores codes (``matter.note_added``, ``legal_hold``, ``dry_run``) and hashes exactly what it stores;
the pages show these words instead. A code without a word here is shown as itself, made readable
(``training.module_archived`` → "Training: module archived"), so nothing is ever hidden for want of a label;
``tests/test_audit_pages.py`` fails when a code the product records has no label.

The moves of the procedure are recorded as ``matter.<move>``. Their labels are written here as events ("Scope
approved"), not taken from the procedure's table: the audit trail sits below the matters app and may not import
it; the test checks that every move in the table has its label here.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The parts of the product, in the order the action filter lists them: one per code prefix.
AREAS = {
    "matter": _("Matters"),
    "deadline": _("Deadlines"),
    "records": _("Record counts"),
    "production": _("Productions"),
    "hold": _("Legal holds"),
    "incident": _("Reports to the officer"),
    "breach": _("Breaches"),
    "account": _("Accounts"),
    "training": _("Training"),
    "library": _("The library"),
    "policy": _("Privacy policy"),
    "checklist": _("Counsel's checklists"),
    "connection": _("Library systems"),
    "retention": _("Retention"),
    "transparency": _("Transparency report"),
    "audit": _("Audit trail"),
}

# The moves of the procedure (matters/procedure.py MOVES), as events.
_MOVES = {
    "explain_policy": _("Policy explained to the requester"),
    "decline": _("Declined: no instrument"),
    "refer_incident": _("Threat or unauthorized demand referred"),
    "attach_instrument": _("Instrument attached"),
    "assign_counsel": _("Counsel assigned"),
    "determine": _("Counsel's determination recorded"),
    "cure": _("Cured or amended instrument attached"),
    "challenge_outcome": _("Outcome of the challenge recorded"),
    "propose_scope": _("Scope proposed"),
    "approve_scope": _("Scope approved"),
    "return_scope": _("Scope returned for changes"),
    "compile_production": _("Production compiled"),
    "approve_production": _("Production approved"),
    "return_production": _("Production sent back"),
    "release_production": _("Release recorded"),
    "close_released": _("Matter closed after release"),
    "assign_custodian": _("Records custodian assigned"),
    "name_person": _("Colleague named on the matter"),
    "record_warrant": _("Search warrant executed recorded"),
    "review_after": _("Reviewed afterwards and closed"),
    "record_emergency": _("Emergency request recorded"),
    "decide_emergency": _("Emergency request decided"),
    "record_consent": _("Guardian's or user's consent recorded"),
    "end_nondisclosure": _("Nondisclosure order ended"),
    "withdraw": _("Closed as withdrawn"),
}

LABELS = {
    # Matters
    "matter.logged": _("Inquiry logged: matter opened"),
    "matter.viewed": _("Matter looked at"),
    "matter.note_added": _("Note added to a matter"),
    "matter.requester_verified": _("Requester's verification recorded"),
    "matter.mismatch_reported": _("A verification's mismatch reported to the officer"),
    "matter.document_added": _("Document attached to a matter"),
    "matter.deadline_extended": _("Deadline extended by agreement"),
    "matter.review_draft_saved": _("Draft of counsel's review saved"),
    "matter.letter_generated": _("Letter made for a matter"),
    "matter.document_downloaded": _("Matter document downloaded"),
    "matter.document_viewed": _("Matter document page viewed"),
    "matter.letter_language_set": _("Language of the matter's letters set"),
    "matter.move_refused": _("Step refused by the procedure"),
    **{f"matter.{name}": label for name, label in _MOVES.items()},
    "deadline.reminded": _("Deadline reminder sent"),
    "records.counted": _("Records counted before approval"),
    # Productions and legal holds
    "production.compiled": _("Production compiled (files made)"),
    "production.failed": _("Production could not be compiled"),
    "production.viewed": _("Production looked at"),
    "production.listed": _("Productions listed"),
    "production.downloaded": _("Production file downloaded"),
    "production.file_refused": _("Production file refused"),
    "hold.placed": _("Legal hold placed"),
    "hold.resolved": _("Held users found in the library system"),
    "hold.lifted": _("Legal hold lifted"),
    # Reports and breaches
    "incident.reported": _("Problem reported to the officer"),
    "incident.viewed": _("Report looked at"),
    "incident.exported": _("Reports exported"),
    "incident.triaged": _("Report triaged"),
    "incident.action_recorded": _("Action on a report recorded"),
    "incident.closed": _("Report closed"),
    "incident.reopened": _("Report reopened"),
    "incident.matter_opened": _("Matter opened from a report"),
    "incident.breach_declared": _("Breach declared"),
    "breach.updated": _("Breach details changed"),
    "breach.affected_added": _("Affected user added to a breach"),
    "breach.affected_removed": _("Affected user removed from a breach"),
    "breach.person_looked_up": _("Person looked up for a breach"),
    "breach.identities_viewed": _("Affected people's identities looked at"),
    "breach.decided": _("Breach notification decided"),
    "breach.person_notified": _("Affected person notified"),
    "breach.letters_generated": _("Breach notice letters made"),
    # Accounts
    "account.created": _("Account created"),
    "account.signed_in": _("Signed in"),
    "account.signed_out": _("Signed out"),
    "account.sign_in_failed": _("Sign-in failed"),
    "account.locked_out": _("Account locked after failed sign-ins"),
    "account.unlocked": _("Account unlocked"),
    "account.disabled": _("Account disabled"),
    "account.enabled": _("Account enabled"),
    "account.role_granted": _("Role granted"),
    "account.role_revoked": _("Role revoked"),
    "account.branch_changed": _("Account's branch changed"),
    "account.password_changed": _("Password changed"),
    "account.password_reset": _("Password reset"),
    "account.link_issued": _("One-time link issued"),
    "account.email_failed": _("E-mail to an account could not be sent"),
    "account.mfa_enrolled": _("Second factor set up"),
    "account.mfa_verified": _("Second factor checked"),
    "account.mfa_failed": _("Second factor failed"),
    "account.mfa_reset": _("Second factor reset"),
    "account.recovery_codes_regenerated": _("New recovery codes made"),
    "account.change_requested": _("Account change requested (needs a second person)"),
    "account.change_approved": _("Account change approved"),
    "account.change_approval_refused": _("Approval of an account change refused"),
    "account.change_refused": _("Account change refused"),
    "account.change_expired": _("Account change expired unapproved"),
    # Training
    "training.module_created": _("Training module created"),
    "training.module_changed": _("Training module changed"),
    "training.version_created": _("New version of a training module"),
    "training.completed": _("Training completed"),
    "training.attempt_failed": _("Training attempt failed"),
    "training.reminders_sent": _("Training reminders sent"),
    "training.compliance_downloaded": _("Training compliance downloaded"),
    # The library
    "library.profile_changed": _("Library profile changed"),
    "library.logo_changed": _("Letterhead logo changed"),
    "library.contact_added": _("Contact added"),
    "library.contact_changed": _("Contact changed"),
    "library.contact_removed": _("Contact removed"),
    "library.branch_added": _("Branch added"),
    "library.branch_changed": _("Branch changed"),
    "library.branch_removed": _("Branch removed"),
    "library.service_point_added": _("Service point added"),
    "library.service_point_changed": _("Service point changed"),
    "library.service_point_removed": _("Service point removed"),
    "library.authority_added": _("Agency or court added to the directory"),
    "library.authority_changed": _("Agency or court changed in the directory"),
    "library.authority_removed": _("Agency or court removed from the directory"),
    "policy.version_created": _("New version of the privacy policy"),
    "checklist.item_added": _("Checklist item added"),
    "checklist.item_changed": _("Checklist item changed"),
    "connection.created": _("Library system connected"),
    "connection.changed": _("Library system connection changed"),
    "connection.tested": _("Library system connection tested"),
    "connection.rekeyed": _("Library system password re-encrypted"),
    "connection.removed": _("Library system connection removed"),
    # Retention
    "retention.policy_defaulted": _("Retention policy set to the default"),
    "retention.policy_changed": _("Retention policy changed"),
    "retention.schedule_changed": _("Retention schedule changed"),
    "retention.run_requested": _("Retention run requested"),
    "retention.run_finished": _("Retention run finished"),
    "retention.run_stopped": _("Retention run stopped"),
    "retention.run_failed": _("Retention run failed"),
    "retention.privacy_audit": _("Privacy audit run"),
    # Transparency report
    "transparency.drafted": _("Transparency report drafted"),
    "transparency.narrative_saved": _("Transparency report's narrative saved"),
    "transparency.published": _("Transparency report published"),
    # The audit trail itself
    "audit.exported": _("Audit trail exported"),
    "audit.verification_requested": _("Verification of the trail requested"),
    "audit.verified": _("Trail verified"),
}

OBJECT_TYPES = {
    "matter": _("Matter"),
    "matter_note": _("Note on a matter"),
    "matter_document": _("Document on a matter"),
    "review_draft": _("Draft of counsel's review"),
    "instrument": _("Instrument"),
    "review": _("Counsel's review"),
    "scope": _("Scope"),
    "deadline": _("Deadline"),
    "production": _("Production"),
    "release": _("Release"),
    "legal_hold": _("Legal hold"),
    "incident": _("Report"),
    "breach": _("Breach"),
    "affected_user": _("Affected user"),
    "breach_lookup": _("Look-up for a breach"),
    "account": _("Account"),
    "account_change": _("Account change"),
    "training_module": _("Training module"),
    "training_version": _("Training module version"),
    "training_completion": _("Training completion"),
    "library": _("Library profile"),
    "policy": _("Privacy policy version"),
    "checklist_item": _("Checklist item"),
    "branch": _("Branch"),
    "service_point": _("Service point"),
    "contact": _("Contact"),
    "authority": _("Agency or court in the directory"),
    "verification": _("Verification of a requester"),
    "connection": _("Library system connection"),
    "retention_policy": _("Retention policy"),
    "retention_schedule": _("Retention schedule"),
    "retention_run": _("Retention run"),
    "privacy_audit": _("Privacy audit"),
    "transparency_report": _("Transparency report"),
    "notice": _("Notice"),
    "file": _("File"),
}

# The keys of an entry's details, wherever they come up (nested ones too).
KEYS = {
    "from": _("From"), "to": _("To"), "state": _("State"), "kind": _("Kind"), "kinds": _("Kinds"),
    "type": _("Type"), "matter": _("Matter"), "instrument": _("Instrument"), "review": _("Review"),
    "scope": _("Scope"), "production": _("Production"), "productions": _("Productions"), "release": _("Release"),
    "number": _("Number"), "supersedes": _("Supersedes"), "note": _("Note"), "document": _("Document"),
    "letter": _("Letter"), "letters": _("Letters"), "file": _("File (SHA-256)"), "look": _("What was looked at"),
    "page": _("Page"), "move": _("Step"), "problem": _("Problem"), "problems": _("Problems"), "reason": _("Reason"),
    "determination": _("Determination"), "defects": _("Defects"), "nondisclosure": _("Nondisclosure order"),
    "designated": _("Designated users"), "counsel": _("Counsel"), "custodian": _("Custodian"),
    "named": _("Named"), "approvers": _("Approvals"), "outcome": _("Outcome"), "disclose": _("Disclose"),
    "disclosed": _("Disclosed"), "decision": _("Decision"), "deadline": _("Deadline"), "due": _("Due"),
    "due_on": _("Due on"), "records": _("Records"), "users": _("Users"), "found": _("Found"),
    "not_found": _("Not found"), "ambiguous": _("Ambiguous"), "fields": _("Fields"), "count": _("Count"),
    "counts": _("Counts"), "items": _("Items"), "rows": _("Rows"), "entries": _("Entries"),
    "filters": _("Filters"), "certification_sha256": _("Certification (SHA-256)"),
    "manifest_sha256": _("Manifest (SHA-256)"), "checks": _("Checks"),
    # Reports and breaches
    "incident": _("Report"), "breach": _("Breach"), "severity": _("Severity"), "channel": _("Channel"),
    "threatening": _("Threatening"), "officers": _("Officers"), "discovered_on": _("Discovered on"),
    "contained_on": _("Contained on"), "authority_notified_on": _("Authority notified on"),
    "lookup": _("Looked up by"), "matches": _("Matches"), "known_account": _("Known account"),
    "for": _("For"), "how": _("How"), "method": _("Method"), "show": _("Shown"), "on": _("On"),
    "verification": _("Verification"), "authority": _("Agency or court"), "confirmed": _("Confirmed"),
    "mismatches": _("Did not match"), "report": _("Report"),
    # Accounts
    "role": _("Role"), "roles": _("Roles"), "branch": _("Branch"), "change": _("Change"),
    "requested_by": _("Requested by (account)"), "approver": _("Approver (account)"),
    "approved_by": _("Approved by (account)"), "refused_by": _("Refused by (account)"),
    "by_link": _("By one-time link"), "was_locked": _("Was locked"), "attempts_cleared": _("Attempts cleared"),
    "devices_removed": _("Devices removed"), "recovery_codes": _("Recovery codes"), "as": _("As"),
    "expires_at": _("Expires"), "purpose": _("Purpose"),
    # Training
    "module": _("Module"), "version": _("Version"), "score": _("Score"), "pass_mark": _("Pass mark"),
    "questions": _("Questions"), "lead_days": _("Days ahead"),
    # The library and its systems
    "policy_version": _("Policy version"), "instrument_type": _("Kind of instrument"), "active": _("Active"),
    "connection": _("Connection"), "connections": _("Connections"), "connector": _("Library system"),
    "driver": _("Database"), "characters": _("Characters"), "period": _("Period"), "bands": _("Band width"),
    # Retention
    "keep_days": _("Days kept"), "keep_outstanding": _("Keep outstanding"), "respect_opt_in": _("Respect opt-in"),
    "policies": _("Policies"), "dry_run": _("Dry run"), "findings": _("Findings"), "hours": _("Hours"),
    "date": _("Date"), "examined": _("Examined"), "unlinked": _("Unlinked"), "kept_for_holds": _("Kept for holds"),
    "kept_opt_in": _("Kept (opted in)"), "done": _("Done"), "elapsed_s": _("Seconds taken"),
    "last": _("Last row"), "longest_batch_s": _("Longest batch (seconds)"), "smallest_batch": _("Smallest batch"),
    "cutoff": _("Cut-off"), "resolution": _("Resolution"), "released_at": _("Released at"),
    "outside_records_viewed": _("Records outside the scope viewed"),
    # The audit trail
    "ok": _("Passed"), "problem_seq": _("Problem at entry"), "problem_kind": _("Kind of problem"),
    "last_checkpoint": _("Last checkpoint"),
}


def _humanised(text: str) -> str:
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(code: str) -> str:
    """What an action code means, in words (an unknown code: itself, readable)."""
    known = LABELS.get(code)
    if known is not None:
        return str(known)
    prefix, _dot, rest = code.partition(".")
    if not rest:
        return _humanised(code)
    return gettext("%(area)s: %(event)s") % {"area": area(prefix), "event": rest.replace("_", " ").replace(".", " ")}


def area(prefix: str) -> str:
    """The part of the product a code prefix names."""
    known = AREAS.get(prefix)
    return str(known) if known is not None else _humanised(prefix)


def object_type(code: str) -> str:
    known = OBJECT_TYPES.get(code)
    return str(known) if known is not None else _humanised(code)


def key(name: str) -> str:
    known = KEYS.get(name)
    return str(known) if known is not None else _humanised(name)


def action_choices() -> list:
    """Every code the product records, grouped by part of the product, each group led by "any of them"."""
    groups: dict[str, list] = {}
    for code in LABELS:
        groups.setdefault(code.partition(".")[0], []).append(code)
    ordered = sorted(groups, key=lambda prefix: list(AREAS).index(prefix) if prefix in AREAS else len(AREAS))
    return [(area(prefix), [(f"{prefix}.", gettext("Any of these (%(area)s)") % {"area": area(prefix)})]
             + sorted(((code, label(code)) for code in groups[prefix]), key=lambda pair: pair[1]))
            for prefix in ordered]


def object_type_choices() -> list:
    return sorted(((code, object_type(code)) for code in OBJECT_TYPES), key=lambda pair: pair[1])


# Details ------------------------------------------------------------------------------------------------------

# A group of more terms than this, or of groups, is folded away (one click shows it).
SHORT_GROUP = 4


class Detail:
    """One term of an entry's details: its words, and either its value as text or the terms it holds."""

    def __init__(self, term: str, text: str = "", nested: list | None = None, hash_like: bool = False):
        self.term, self.text, self.nested, self.hash_like = term, text, nested or [], hash_like

    @property
    def flat(self) -> bool:
        """Its terms are all plain values (shown on one line)."""
        return all(not item.nested for item in self.nested)

    @property
    def folded(self) -> bool:
        return not self.flat or len(self.nested) > SHORT_GROUP


# A value that is itself a code of the product (``past_loans``, ``scope_approved``): shown with spaces.
_CODE_VALUE = re.compile(r"^[a-z]+(_[a-z]+)+$")


def _is_hash(value) -> bool:
    return isinstance(value, str) and len(value) >= 40 and all(c in "0123456789abcdef" for c in value)


def _plain(value) -> str:
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, str) and _CODE_VALUE.match(value):
        return value.replace("_", " ")
    return str(value)


def details(data: dict) -> list[Detail]:
    """An entry's details as terms in words: exactly what they hold, nothing looked up, no JSON."""
    found = []
    for name, value in data.items():
        term = key(str(name))
        if isinstance(value, dict):
            found.append(Detail(term, nested=details(value)) if value else Detail(term, "—"))
        elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
            found.append(Detail(term, nested=details({str(n): item for n, item in enumerate(value, 1)})))
        else:
            found.append(Detail(term, _plain(value), hash_like=_is_hash(value)))
    return found
