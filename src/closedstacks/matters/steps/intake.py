"""Step 1: an inquiry logged at the desk is referred at once; the officer explains the policy."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from closedstacks.audit.trail import record
from closedstacks.documents import uploads
from closedstacks.incidents.models import IncidentKind
from closedstacks.incidents.services import link_matter, refer
from closedstacks.library.models import LibraryProfile, PolicyVersion
from closedstacks.matters.errors import Result, require
from closedstacks.matters.models import Matter, MatterEvent, PolicyExplanation
from closedstacks.matters.states import Channel, Outcome, State
from closedstacks.matters.steps.common import officers
from closedstacks.matters.wording import english, said
from closedstacks.notices.services import notify

# Crockford's base32 without the letters read as digits or words (I, L, O, U): easy to read aloud and type.
REFERENCE_LETTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6  # 32**6: about a billion a year, so guessing one is hopeless and collisions rare


def new_reference() -> str:
    """A matter's reference: the year and six random characters (2026-K7Q4XM). References do not run in
    sequence, so nobody can count matters, or see the gap where a sealed one sits, from the ones they see."""
    year = timezone.localdate().year
    while True:
        candidate = f"{year}-" + "".join(secrets.choice(REFERENCE_LETTERS) for _ in range(REFERENCE_LENGTH))
        if not Matter.objects.filter(reference=candidate).exists():
            return candidate


def log_inquiry(*, by, requester_name: str, channel: str, request_text: str, requester_agency: str = "",
                requester_id: str = "", requester_contact: str = "", document_presented: bool = False,
                document=None, threatening: bool = False) -> Matter:
    """Log an inquiry from the desk: the matter exists, referred, and the officer is told — at once, together.

    A document that cannot be accepted raises UploadRefused before anything is stored.
    """
    require("inquiry:create" in by.scopes, _("Logging an inquiry needs a library staff role."))
    require(bool(requester_name.strip()), _("Say who asked, as far as you know."))
    require(bool(request_text.strip()), _("Write down what they asked for, in their words."))
    require(channel in Channel.values, _("Say how they asked."))
    checked = uploads.check(document) if document is not None else None
    with transaction.atomic():
        stored = None
        if checked is not None:
            content_type, data = checked
            stored = uploads.store_bytes(data, content_type=content_type, original_name=document.name or "", by=by)
        profile = LibraryProfile.current()
        matter = Matter.objects.create(
            reference=new_reference(), logged_by=by, requester_name=requester_name.strip(),
            requester_agency=requester_agency.strip(), requester_id=requester_id.strip(),
            requester_contact=requester_contact.strip(), channel=channel, request_text=request_text.strip(),
            document_presented=document_presented or stored is not None, desk_document=stored,
            threatening=threatening, officer=profile.responsible_officer,
        )
        logged = said(gettext_noop("Logged at the desk and referred to the officer."))
        MatterEvent.objects.create(matter=matter, actor=by, action="logged", to_state=State.REFERRED,
                                   summary=english(logged), message=logged.message)
        record("matter.logged", actor=by, obj=matter, details={
            "channel": channel, "document": stored.sha256 if stored else None, "threatening": threatening})
        recipients = officers(matter)
        if profile.alternate_officer and profile.alternate_officer not in recipients:
            recipients.append(profile.alternate_officer)
        notify(recipients, template="matter_referred", context={"matter": matter},
               url=f"/matters/{matter.reference}/", matter=matter)
        if threatening:
            refer(kind=IncidentKind.THREAT, by=by, matter=matter,
                  summary=_("The requester was threatening or insistent at the desk (matter %(ref)s).")
                  % {"ref": matter.reference})
    return matter


def open_from_report(incident, *, by, version: int | None = None) -> Matter:
    """Turn a report into an inquiry on the procedure (say, the person came back with a subpoena), linked both
    ways; a report already linked, or changed since the officer looked, is refused and no matter is made."""
    with transaction.atomic():
        matter = log_inquiry(by=by, requester_name=incident.who.splitlines()[0][:200] if incident.who else
                             _("Unknown (see report %(n)s)") % {"n": incident.pk},
                             channel=Channel.IN_PERSON, request_text=incident.what)
        link_matter(incident, matter, by=by, version=version)
    return matter


def explain_policy(matter: Matter, by, *, explained_to: str, explained_at=None, notes: str = "") -> Result:
    policy = PolicyVersion.current()  # there is one: gates.policy_written
    require(bool(explained_to.strip()), _("Say to whom the policy was explained."))
    when = explained_at or timezone.now()
    require(when <= timezone.now(), _("The explanation cannot be in the future."))
    PolicyExplanation.objects.create(matter=matter, explained_to=explained_to.strip(), explained_at=when,
                                     policy=policy, recorded_by=by, notes=notes)
    return Result(to=State.EXPLAINED if matter.state == State.REFERRED else None,
                  summary=said(gettext_noop("Policy version %(n)s explained."), n=policy.number),
                  details={"policy_version": policy.number})


def decline(matter: Matter, by, *, reason: str = "") -> Result:
    matter.outcome = Outcome.DECLINED
    return Result(to=State.DECLINED, summary=said(gettext_noop("Declined: no process, order or subpoena.")),
                  details={"outcome": Outcome.DECLINED})


def refer_incident(matter: Matter, by, *, summary: str, kind: str = IncidentKind.THREAT) -> Result:
    require(kind in IncidentKind.values, _("Choose what kind of incident this is."))
    require(bool(summary.strip()), _("Describe what happened."))
    incident = refer(kind=kind, summary=summary.strip(), by=by, matter=matter)
    return Result(summary=said(gettext_noop("Incident %(n)s referred to the officer."), n=incident.pk),
                  details={"incident": incident.pk})


def withdraw(matter: Matter, by, *, reason: str = "") -> Result:
    require(bool(reason.strip()), _("Say why the matter is withdrawn."))
    matter.outcome = Outcome.WITHDRAWN
    return Result(to=State.WITHDRAWN, summary=said(gettext_noop("Withdrawn: %(reason)s"), reason=reason.strip()),
                  details={"outcome": Outcome.WITHDRAWN},
                  notices=[(officers(matter), "matter_closed")])
