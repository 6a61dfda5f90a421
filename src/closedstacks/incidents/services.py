"""The officer's desk for reports and breaches: every rule here, every change audited in its transaction.

Notices and e-mail about a report carry its number and kind only — never
what happened, who was involved, or whom a breach affected. The audit trail
refers to reports, breaches and affected users by id.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.access import sealed
from closedstacks.access.roles import Role
from closedstacks.accounts.models import User
from closedstacks.audit import changes
from closedstacks.audit.trail import record
from closedstacks.incidents.errors import ReportError, StaleReport, require
from closedstacks.incidents.models import (
    BREACH_KINDS,
    DUE_WITHIN,
    TRIAGE_WITHIN,
    AffectedUser,
    Breach,
    BreachLookup,
    Disclosed,
    Incident,
    IncidentEvent,
    IncidentKind,
    NotifyDecision,
    Severity,
    Status,
)
from closedstacks.library.models import LibraryProfile
from closedstacks.notices.services import notify

__all__ = ["ReportError", "StaleReport"]


def _officers() -> list:
    profile = LibraryProfile.current()
    chosen = profile.officers()
    return chosen or list(User.objects.filter(is_active=True, role_grants__role=Role.OFFICER).distinct())


def _directors() -> list:
    return list(User.objects.filter(is_active=True, role_grants__role=Role.DIRECTOR).distinct())


def _event(incident: Incident, by, action: str, text: str = "") -> None:
    IncidentEvent.objects.create(incident=incident, actor=by, action=action, text=text)


def _new_number() -> int:
    """A report's number: six random digits, not the next in a sequence, so that nobody can count reports, or
    see the gap where one linked to a sealed matter sits, from the numbers they see."""
    while True:
        number = secrets.randbelow(900_000) + 100_000
        if not Incident.objects.filter(pk=number).exists():
            return number


def _url(incident: Incident) -> str:
    return f"/reports/{incident.pk}/"


# Reporting ------------------------------------------------------------------------------------------------------

def report(*, by, kind: str, what: str, occurred_at=None, place: str = "", service_point=None, who: str = "",
           disclosed: str = Disclosed.NO, disclosed_what: str = "", witnesses: str = "", matter=None) -> Incident:
    """File a report: it exists, the officer is told and the reporter gets a receipt — at once, together."""
    require("incident:report" in by.scopes, _("Reporting needs a library staff account."))
    require(kind in IncidentKind.values, _("Choose what kind of problem this is."))
    require(bool(what.strip()), _("Say what was demanded, or what happened."))
    require(disclosed in Disclosed.values, _("Say whether anything was disclosed."))
    now = timezone.now()
    when = occurred_at or now
    require(when <= now + dt.timedelta(minutes=5), _("It cannot have happened in the future."))
    require(disclosed == Disclosed.NO or bool(disclosed_what.strip()) or disclosed == Disclosed.UNSURE,
            _("Say what was disclosed, as far as you know."))
    with transaction.atomic():
        incident = Incident.objects.create(
            pk=_new_number(),
            kind=kind, what=what.strip(), occurred_at=when, place=place.strip(), service_point=service_point,
            who=who.strip(), disclosed=disclosed, disclosed_what=disclosed_what.strip(),
            witnesses=witnesses.strip(), matter=matter, reported_by=by, reported_at=now, due_at=now + TRIAGE_WITHIN)
        _event(incident, by, "reported")
        record("incident.reported", actor=by, obj=incident, details={
            "kind": kind, "disclosed": disclosed, "matter": matter.reference if matter else None})
        notify(_officers(), template="incident_reported", context={"incident": incident}, url=_url(incident),
               matter=incident.matter_id)
        notify([by], template="incident_receipt", context={"incident": incident}, url=_url(incident),
               matter=incident.matter_id)
    return incident


def refer(*, kind: str, summary: str, by, matter=None) -> Incident:
    """A report made by the procedure itself (a threatening requester, a warrant that went too far)."""
    return report(by=by, kind=kind, what=summary, matter=matter,
                  occurred_at=matter.logged_at if matter is not None and kind == IncidentKind.THREAT else None)


def report_from_matter(matter, *, by, kind: str = IncidentKind.UNAUTHORIZED_DEMAND) -> Incident:
    """Turn an inquiry logged at the desk into a linked report, filled in from what the desk wrote."""
    who = ", ".join(part for part in (matter.requester_name, matter.requester_agency,
                                      matter.requester_id and _("ID %(id)s") % {"id": matter.requester_id}) if part)
    return report(by=by, kind=kind, what=matter.request_text, who=who, occurred_at=matter.logged_at, matter=matter,
                  place=matter.get_channel_display())


# The officer's desk ---------------------------------------------------------------------------------------------

def _locked(incident: Incident | int, by, version: int | None):
    """The report, locked for a change by the officer (see closedstacks.audit.changes)."""
    require("incident:manage" in by.scopes, _("Only the responsible officer works on reports."))
    return changes.locked(
        Incident.objects.visible_to(by), pk=incident.pk if isinstance(incident, Incident) else incident,
        version=version, missing=ReportError(_("No such report.")),
        stale=StaleReport(_("While you were working, someone else changed this report. Nothing you entered was "
                            "saved: look at it again, then try again.")))


def _save(incident: Incident, by, action: str, text: str = "", **details) -> Incident:
    return changes.save(incident, by=by, action=f"incident.{action}", details=details,
                        event=lambda saved: _event(saved, by, action, text))


def triage(incident, *, by, kind: str, severity: str, due_on: dt.date | None = None, note: str = "",
           version: int | None = None) -> Incident:
    """Say what it is and how serious; the due date follows the severity unless the officer sets one."""
    require(kind in IncidentKind.values, _("Choose what kind of problem this is."))
    require(severity in Severity.values, _("Choose how serious it is."))
    with _locked(incident, by, version) as incident:
        require(incident.status != Status.CLOSED, _("The report is closed: reopen it first."))
        now = timezone.now()
        if due_on is not None:
            require(due_on >= timezone.localdate(), _("The due date cannot be in the past."))
            due = dt.datetime.combine(due_on, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
        else:
            due = now + dt.timedelta(days=DUE_WITHIN[severity])
        incident.kind, incident.severity, incident.due_at = kind, severity, due
        incident.status = Status.OPEN
        incident.triaged_at = incident.triaged_at or now
        return _save(incident, by, "triaged", note.strip(), kind=kind, severity=severity,
                     due=due.date().isoformat())


def add_action(incident, *, by, text: str, version: int | None = None) -> Incident:
    require(bool(text.strip()), _("Say what was done."))
    with _locked(incident, by, version) as incident:
        require(incident.status != Status.CLOSED, _("The report is closed: reopen it first."))
        return _save(incident, by, "action_recorded", text.strip())


def close(incident, *, by, outcome: str, version: int | None = None) -> Incident:
    require(bool(outcome.strip()), _("Say how it ended: the outcome."))
    with _locked(incident, by, version) as incident:
        require(incident.status == Status.OPEN, _("Triage the report before closing it."))
        breach = Breach.objects.filter(incident=incident).first()
        if breach is not None:
            require(bool(breach.decision), _("Record the notification decision on the breach before closing."))
            if breach.decision == NotifyDecision.NOTIFY:
                require(not breach.affected.filter(notified_on__isnull=True).exists(),
                        _("Record the date each affected person was notified before closing."))
        incident.status, incident.outcome, incident.closed_at = Status.CLOSED, outcome.strip(), timezone.now()
        _save(incident, by, "closed", outcome.strip())
        notify([incident.reported_by], template="incident_closed", context={"incident": incident},
               url=_url(incident), matter=incident.matter_id)
    return incident


def reopen(incident, *, by, reason: str, version: int | None = None) -> Incident:
    require(bool(reason.strip()), _("Say why it is reopened."))
    with _locked(incident, by, version) as incident:
        require(incident.status == Status.CLOSED, _("Only a closed report can be reopened."))
        incident.status, incident.closed_at = Status.OPEN, None
        incident.due_at = timezone.now() + dt.timedelta(days=DUE_WITHIN.get(incident.severity, 14))
        return _save(incident, by, "reopened", reason.strip())


def link_matter(incident, matter, *, by, version: int | None = None) -> Incident:
    """Link a report to the matter opened from it (closedstacks.matters.steps.intake.open_from_report), once."""
    with _locked(incident, by, version) as incident:
        require(incident.matter_id is None, _("This report is already linked to matter %(ref)s.")
                % {"ref": incident.matter.reference if incident.matter else ""})
        incident.matter = matter
        return _save(incident, by, "matter_opened", matter=matter.reference)


# Breaches -------------------------------------------------------------------------------------------------------

def _kinds(kinds) -> list[str]:
    kinds = list(dict.fromkeys(kinds or []))
    require(bool(kinds), _("Say which kinds of record were affected."))
    require(all(kind in dict(BREACH_KINDS) for kind in kinds), _("Choose kinds of record from the list."))
    return kinds


def declare_breach(incident, *, by, record_kinds, discovered_on: dt.date, version: int | None = None) -> Breach:
    """Records were disclosed without the procedure: the report becomes a breach, and the director is told."""
    kinds = _kinds(record_kinds)
    require(discovered_on <= timezone.localdate(), _("The discovery date cannot be in the future."))
    with _locked(incident, by, version) as incident:
        require(not Breach.objects.filter(incident=incident).exists(), _("This report is already a breach."))
        require(incident.status != Status.CLOSED, _("The report is closed: reopen it first."))
        breach = Breach.objects.create(incident=incident, record_kinds=kinds, discovered_on=discovered_on,
                                       declared_by=by)
        incident.disclosed = Disclosed.YES
        if incident.status == Status.NEW:
            incident.status, incident.severity = Status.OPEN, Severity.HIGH
            incident.triaged_at = timezone.now()
            incident.due_at = incident.triaged_at + dt.timedelta(days=DUE_WITHIN[Severity.HIGH])
        _save(incident, by, "breach_declared", breach=breach.pk, kinds=kinds)
        notify(_directors(), template="breach_declared", context={"incident": incident}, url=_url(incident),
               matter=incident.matter_id)
    return breach


def _locked_breach(breach: Breach | int, by) -> Breach:
    pk = breach.pk if isinstance(breach, Breach) else breach
    require("incident:manage" in by.scopes, _("Only the responsible officer works on breaches."))
    locked = Breach.objects.select_for_update().select_related("incident").filter(pk=pk).first()
    require(locked is not None, _("No such breach."))
    require(locked.incident.status != Status.CLOSED, _("The report is closed: reopen it first."))
    return locked


def update_breach(breach, *, by, record_kinds, discovered_on: dt.date, contained_on: dt.date | None = None,
                  authority_notified_on: dt.date | None = None) -> Breach:
    kinds = _kinds(record_kinds)
    today = timezone.localdate()
    for day in (discovered_on, contained_on, authority_notified_on):
        require(day is None or day <= today, _("Dates of steps taken cannot be in the future."))
    require(contained_on is None or contained_on >= discovered_on, _("It cannot be contained before it was found."))
    with transaction.atomic():
        breach = _locked_breach(breach, by)
        breach.record_kinds, breach.discovered_on = kinds, discovered_on
        breach.contained_on, breach.authority_notified_on = contained_on, authority_notified_on
        breach.save()
        record("breach.updated", actor=by, obj=breach, details={
            "kinds": kinds, "discovered_on": discovered_on.isoformat(),
            "contained_on": contained_on.isoformat() if contained_on else None,
            "authority_notified_on": authority_notified_on.isoformat() if authority_notified_on else None})
    return breach


def add_affected(breach, *, by, name: str, identifier: str = "", address: str = "", email: str = "",
                 record_kinds=()) -> AffectedUser:
    require(bool(name.strip()) or bool(identifier.strip()), _("Give the person's name or card number."))
    with transaction.atomic():
        breach = _locked_breach(breach, by)
        kinds = list(record_kinds) or list(breach.record_kinds)
        require(all(kind in breach.record_kinds for kind in kinds),
                _("Their records must be among the kinds the breach affected."))
        person = AffectedUser.objects.create(breach=breach, name=name.strip(), identifier=identifier.strip(),
                                             address=address.strip(), email=email.strip(), record_kinds=kinds)
        record("breach.affected_added", actor=by, obj=person, details={"breach": breach.pk, "kinds": kinds})
    return person


def find_affected(breach, *, by, lookup: str, value: str, reason: str, record_kinds=()) -> AffectedUser:
    """Add a person affected as the library system knows them: name, card, address and e-mail from their record.

    Only from a breach, and only with a reason: each look-up — whether it finds someone or not — is kept with
    the breach (:class:`BreachLookup`: who, when, how, why; never whom) and on the audit trail, and the auditor
    lists them all. ``lookup`` is how ``value`` names them (card, username or the system's own id). Exactly one
    person must match; the library system is read with the read-only credentials, and only their patron record.
    """
    require(lookup in ("card", "username", "id") and bool(value.strip()),
            _("Give a card number, a username or the library system's id."))
    require("incident:manage" in by.scopes, _("Only the responsible officer works on breaches."))
    require(bool(reason.strip()), _("Say why this person is thought affected: the reason is kept with the breach."))
    breach = breach if isinstance(breach, Breach) else Breach.objects.get(pk=breach)
    try:
        row = _patron_record(lookup, value.strip())
    except ReportError:
        _looked_up(breach, by=by, lookup=lookup, reason=reason, person=None)
        raise
    name = " ".join(part for part in (row.get("first_name"), row.get("surname")) if part)
    with transaction.atomic():
        person = add_affected(breach, by=by, name=name or str(row.get("card") or ""),
                              identifier=str(row.get("card") or ""), address=str(row.get("address") or ""),
                              email=str(row.get("email") or ""), record_kinds=record_kinds)
        _looked_up(breach, by=by, lookup=lookup, reason=reason, person=person)
    return person


def _patron_record(lookup: str, value: str) -> dict:
    """The one patron record the library system has for ``value``; ReportError when there is none or several."""
    from closedstacks.ils.connectors.base import ConnectorError, Scope
    from closedstacks.ils.lookup import current_connection

    connection = current_connection()
    require(connection is not None, _("No library system is connected: enter the person by hand."))
    try:
        connector = connection.open()
        with connector.keep_open():
            ids = connector.resolve(lookup, value)
            require(len(ids) < 2, _("Several people match: use their card number."))
            require(len(ids) == 1, _("Nobody in the library system matches that."))
            row = next(iter(connector.extract(Scope(users=(ids[0],), kinds=("patron_record",)), "patron_record")),
                       None)
    except ConnectorError as exc:
        raise ReportError(str(exc)) from None
    require(row is not None, _("Nobody in the library system matches that."))
    return row


def _looked_up(breach: Breach, *, by, lookup: str, reason: str, person) -> BreachLookup:
    with transaction.atomic():
        made = BreachLookup.objects.create(breach=breach, by=by, lookup=lookup, reason=reason.strip()[:500],
                                           found=person is not None, person=person)
        record("breach.person_looked_up", actor=by, obj=made, details={
            "breach": breach.pk, "lookup": lookup, "found": person is not None})
    return made


def lookups_for(user):
    """Every look-up of a person from a breach, newest first, for the auditor (none about a sealed matter)."""
    return (BreachLookup.objects.exclude(breach__incident__matter__in=sealed.hidden_from(user))
            .select_related("by", "breach__incident"))


def remove_affected(person: AffectedUser, *, by) -> None:
    with transaction.atomic():
        breach = _locked_breach(person.breach_id, by)
        record("breach.affected_removed", actor=by, obj=person, details={"breach": breach.pk})
        person.delete()


def decide(breach, *, by, decision: str, reasons: str, notice_text: str = "") -> Breach:
    """Notify the affected people or not, and why (many states' laws require notice)."""
    require(decision in (NotifyDecision.NOTIFY, NotifyDecision.NOT_REQUIRED), _("Choose a decision."))
    require(bool(reasons.strip()), _("Give the reasons for the decision, as counsel advised."))
    require(decision != NotifyDecision.NOTIFY or bool(notice_text.strip()),
            _("Write what the notice tells the affected people."))
    with transaction.atomic():
        breach = _locked_breach(breach, by)
        breach.decision, breach.decision_reasons = decision, reasons.strip()
        breach.notice_text, breach.decided_on = notice_text.strip(), timezone.localdate()
        breach.save()
        record("breach.decided", actor=by, obj=breach, details={"decision": decision})
    return breach


def mark_notified(person: AffectedUser, *, by, on: dt.date) -> AffectedUser:
    require(on <= timezone.localdate(), _("The notice date cannot be in the future."))
    with transaction.atomic():
        breach = _locked_breach(person.breach_id, by)
        require(breach.decision == NotifyDecision.NOTIFY, _("The decision was not to notify."))
        require(on >= breach.discovered_on, _("Notice cannot precede the discovery."))
        person.notified_on = on
        person.save(update_fields=["notified_on"])
        record("breach.person_notified", actor=by, obj=person, details={"breach": breach.pk,
                                                                       "on": on.isoformat()})
    return person


def affected_for(breach: Breach, *, by, reason: str) -> list[AffectedUser]:
    """The affected people, for the officer or the director; each look is on the audit trail (by count only)."""
    require("breach:identities" in by.scopes, _("Only the officer and the director see whom a breach affected."))
    people = list(breach.affected.all())
    with transaction.atomic():
        record("breach.identities_viewed", actor=by, obj=breach, details={"count": len(people), "for": reason})
    return people
