"""Step 2 begins: the instrument is attached. Step 3: a cured or amended one replaces a defective one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from closedstacks.documents import uploads
from closedstacks.library.choices import IdentifierType, InstrumentType, RecordKind
from closedstacks.matters import deadlines
from closedstacks.matters.errors import Result, require
from closedstacks.matters.models import DesignatedUser, Instrument, Matter
from closedstacks.matters.states import DeadlineKind, OrderEnded, State
from closedstacks.matters.steps.common import assigned, directors, name_on, officers
from closedstacks.matters.wording import said
from closedstacks.records import holds


def create_instrument(matter: Matter, by, *, type: str, issuing_authority: str, caption: str = "",  # noqa: A002
                      case_number: str = "", issued_on=None, served_on=None, service_manner: str = "",
                      return_at=None, return_place: str = "", record_kinds=(), date_from=None, date_to=None,
                      designation_text: str = "", designated=(), nondisclosure: bool = False,
                      nondisclosure_until=None, file=None, **unused) -> Instrument:
    """Validate and save an instrument with the users it designates; copy its nondisclosure to the matter."""
    require(type in InstrumentType.values, _("Choose the type of instrument."))
    require(bool(issuing_authority.strip()), _("Name the issuing court or authority."))
    kinds = list(dict.fromkeys(record_kinds))
    require(set(kinds) <= set(RecordKind.values), _("Choose kinds of record from the list."))
    require(not (date_from and date_to and date_from > date_to),
            _("The designated dates run backwards: “from” is after “to”."))
    require(nondisclosure or not nondisclosure_until,
            _("A nondisclosure end date needs the nondisclosure box ticked."))
    require(not (issued_on and served_on and served_on < issued_on), _("It cannot be served before it was issued."))
    # (kind, value) or (kind, value, date of birth); the value as the document writes it, spaces trimmed.
    people = [(kind, " ".join(value.split()), born[0] if born else None) for kind, value, *born in designated
              if value and value.strip()]
    require(all(kind in IdentifierType.values for kind, _value, _born in people),
            _("Choose how each user is identified."))
    stored = uploads.store(file, by=by) if file is not None else None
    instrument = Instrument.objects.create(
        matter=matter, type=type, issuing_authority=issuing_authority.strip(), caption=caption.strip(),
        case_number=case_number.strip(), issued_on=issued_on, served_on=served_on,
        service_manner=service_manner.strip(), return_at=return_at, return_place=return_place.strip(),
        record_kinds=kinds, date_from=date_from, date_to=date_to, designation_text=designation_text.strip(),
        nondisclosure=nondisclosure, nondisclosure_until=nondisclosure_until if nondisclosure else None,
        file=stored, received_by=by)
    DesignatedUser.objects.bulk_create([DesignatedUser(instrument=instrument, identifier_type=kind, value=value,
                                                       date_of_birth=born) for kind, value, born in people])
    holds.place_for(instrument, by=by)  # the designated users' records are held from now until the matter closes
    matter.nondisclosure = nondisclosure
    matter.nondisclosure_until = instrument.nondisclosure_until
    if nondisclosure:
        # From now on only the people named on the matter can see it exist.
        name_on(matter, by, matter.officer, matter.counsel, matter.custodian)
    deadlines.set_from_instrument(matter, instrument)
    return instrument


def _details(instrument: Instrument) -> dict:
    return {"instrument": instrument.pk, "type": instrument.type, "nondisclosure": instrument.nondisclosure,
            "designated": instrument.designated_users.count(),
            "file": instrument.file.sha256 if instrument.file else None}


def attach(matter: Matter, by, **data) -> Result:
    require(data.get("type") != InstrumentType.SEARCH_WARRANT,
            _("A search warrant is executed at once: use “Record a search warrant executed”."))
    instrument = create_instrument(matter, by, **data)
    return Result(to=State.RECEIVED,
                  summary=said(gettext_noop("%(type)s received."), type=InstrumentType(instrument.type).label),
                  details=_details(instrument),
                  notices=[(directors(matter) + officers(matter), "instrument_received")])


def cure(matter: Matter, by, **data) -> Result:
    """A new or amended instrument replaces the defective one and goes back to counsel."""
    previous = matter.current_instrument()  # a defective matter has one; counsel is on it (gates)
    instrument = create_instrument(matter, by, **data)
    previous.superseded_by = instrument
    previous.save(update_fields=["superseded_by"])
    holds.lift_unresolved_of(previous, by=by)  # a hold on no one, or on several people, gives way to the amendment
    deadlines.meet(matter, DeadlineKind.CURE)
    return Result(to=State.IN_REVIEW,
                  summary=said(gettext_noop("Cured instrument received; it goes back to counsel for review.")),
                  details={**_details(instrument), "supersedes": previous.pk},
                  notices=[(assigned(matter.counsel), "review_requested")])


def end_nondisclosure(matter: Matter, by, *, ended_on, how: str, notes: str = "") -> Result:
    """The nondisclosure order has ended (lifted, expired or set aside): the seal ends with it. The order stays
    on record as in force until the day before; from ``ended_on`` the matter is visible again as any other."""
    require(how in OrderEnded.values, _("Say how the order ended."))
    require(ended_on is not None and ended_on <= timezone.localdate(),
            _("Give the day the order ended: today or earlier."))
    last_day = ended_on - dt.timedelta(days=1)
    matter.nondisclosure_until = last_day
    matter.instruments.filter(nondisclosure=True).update(nondisclosure_until=last_day)
    deadlines.meet(matter, DeadlineKind.NONDISCLOSURE)
    return Result(summary=said(gettext_noop("The nondisclosure order ended on %(day)s: %(how)s."), day=ended_on,
                               how=OrderEnded(how).label),
        details={"ended_on": ended_on.isoformat(), "how": how})
