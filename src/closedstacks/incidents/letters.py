"""Notice letters to the people a breach affected, as PDF (one page each)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from closedstacks.audit.trail import record
from closedstacks.incidents.errors import require
from closedstacks.incidents.models import Breach, NotifyDecision
from closedstacks.library import letterhead
from closedstacks.library.contacts import contact_list


def render_notices(breach: Breach, *, by, person: int | None = None) -> bytes:
    require("breach:identities" in by.scopes, _("Only the officer and the director see whom a breach affected."))
    require(breach.decision == NotifyDecision.NOTIFY, _("Letters follow a decision to notify."))
    people = list(breach.affected.all() if person is None else breach.affected.filter(pk=person))
    require(bool(people), _("There is nobody to write to yet."))
    contacts = contact_list()
    data = letterhead.render("incidents/notice_letter_pdf.html", {
        "breach": breach, "people": people, "contacts": contacts})
    with transaction.atomic():
        record("breach.letters_generated", actor=by, obj=breach, details={"letters": len(people)})
    return data
