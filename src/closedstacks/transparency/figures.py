"""The transparency report's figures for a period: how often records were demanded and what the library did,
without anything that could identify a user — or reveal a matter the law keeps secret.

Counted: the matters logged in the period, by instrument type (the matter's current instrument; a matter with
none by its kind) and by outcome; preservation requests apart; threats and unauthorized demands reported in the
period; training completed in it.

National security letters and FISA orders appear only in bands (``0–499``, or bands of 1,000: 50 U.S.C. 1874),
never as exact counts, and so do the other matters under a nondisclosure order still in force. None of these
*banded* matters is in any other figure — not in a type, an outcome, a total, nor (through an incident linked to
it) in the threats — so no sum or difference of figures can recover a banded count: adding or removing a banded
matter changes no exact figure at all (the tests check exactly that).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.incidents.models import Incident, IncidentKind
from closedstacks.library.choices import InstrumentType
from closedstacks.matters.models import Matter
from closedstacks.matters.states import RELEASED_OUTCOMES, Kind, State

OUTCOMES = {
    "released_full": _("Released in full"),
    "released_part": _("Released in part"),
    "nothing_released": _("Nothing released"),
    "challenged": _("Challenged or quashed"),
    "withdrawn": _("Withdrawn"),
    "declined": _("Declined: no instrument"),
    "open": _("Not yet concluded"),
}
BANDED_TYPES = {InstrumentType.NSL: "nsl", InstrumentType.FISA_ORDER: "fisa"}
BANDED = {"nsl": _("National security letters"), "fisa": _("FISA orders"),
          "nondisclosure": _("Other matters under a nondisclosure order")}
BAND_SIZES = (500, 1000)
# A matter without an instrument is reported by its kind.
NO_INSTRUMENT = {Kind.INQUIRY: _("No instrument (informal request)"), Kind.EMERGENCY: _("Emergency request"),
                 Kind.GUARDIAN: _("Parent or guardian"), Kind.CONSENT: _("The user's written consent"),
                 Kind.WARRANT: _("Search warrant")}


@dataclass(frozen=True)
class Period:
    year: int
    half: int = 0  # 0: the whole year; 1: January to June; 2: July to December

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    @property
    def label(self) -> str:
        return str(self.year) if not self.half else f"{self.year} H{self.half}"

    def within(self, field: str) -> Q:
        """A datetime ``field`` within the period, in the library's time zone."""
        zone = timezone.get_current_timezone()
        begin = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return Q(**{f"{field}__gte": begin, f"{field}__lt": end})


def band(count: int, size: int) -> str:
    """The band ``count`` falls in: ``0–499`` for anything under 500 (with bands of 500)."""
    low = count // size * size
    return f"{low}\u2013{low + size - 1}"


def banded_as(matter: Matter, today: dt.date) -> str | None:
    """Which banded figure a matter belongs to (None: it is reported exactly)."""
    types = {instrument.type for instrument in matter.instruments.all()}
    for instrument_type, key in BANDED_TYPES.items():
        if instrument_type in types:
            return key
    gagged = [(matter.nondisclosure, matter.nondisclosure_until)] + [
        (i.nondisclosure, i.nondisclosure_until) for i in matter.instruments.all()]
    if any(on and (until is None or until >= today) for on, until in gagged):
        return "nondisclosure"
    return None


def outcome_of(matter: Matter) -> str:
    """How a matter ended (``OUTCOMES``), from its state and what was recorded when it closed."""
    state = matter.state
    if state in (State.CHALLENGED, State.QUASHED):
        return "challenged"
    if state == State.WITHDRAWN:
        return "withdrawn"
    if state == State.DECLINED:
        return "declined"
    if state == State.RELEASED:
        return "released_full"  # released, the matter not yet closed: in full unless closed as in part
    if state != State.CLOSED:
        return "open"
    if matter.outcome in RELEASED_OUTCOMES:
        return str(matter.outcome)
    if matter.kind == Kind.WARRANT:
        warrant = getattr(matter, "warrant", None)
        return "released_full" if warrant is not None and warrant.inventory else "nothing_released"
    if matter.kind == Kind.EMERGENCY:
        emergency = getattr(matter, "emergency", None)
        return "released_part" if emergency is not None and emergency.disclose_identity else "nothing_released"
    return "nothing_released"


def type_of(matter: Matter) -> tuple[str, str]:
    """The row a matter is counted in: its current instrument's type, or (none) its kind. An emergency request is
    counted as one, whatever the paper that records it."""
    if matter.kind == Kind.EMERGENCY:
        return f"kind:{matter.kind}", str(NO_INSTRUMENT[Kind.EMERGENCY])
    current = [i for i in matter.instruments.all() if i.superseded_by_id is None]
    if current:
        instrument = max(current, key=lambda i: i.pk)
        return instrument.type, str(instrument.get_type_display())
    return f"kind:{matter.kind}", str(NO_INSTRUMENT.get(matter.kind, NO_INSTRUMENT[Kind.INQUIRY]))


def compute(period: Period, *, band_size: int = 500, today: dt.date | None = None) -> dict:
    """The figures (plain JSON) for ``period``; ``today`` decides which nondisclosure orders are in force."""
    if band_size not in BAND_SIZES:
        raise ValueError(f"bands of {band_size}: use one of {BAND_SIZES}")
    from closedstacks.training.models import Completion

    today = today or timezone.localdate()
    matters = (Matter.objects.filter(period.within("logged_at"))
               .select_related("warrant", "emergency").prefetch_related("instruments").order_by("pk"))
    banded: Counter = Counter()
    hidden: set[int] = set()
    rows: dict[str, dict] = {}
    outcomes: Counter = Counter()
    preservation = 0
    for matter in matters:
        key = banded_as(matter, today)
        if key:
            banded[key] += 1
            hidden.add(matter.pk)
            continue
        type_key, label = type_of(matter)
        if type_key == InstrumentType.PRESERVATION_REQUEST:
            preservation += 1
            continue
        outcome = outcome_of(matter)
        row = rows.setdefault(type_key, {"type": type_key, "label": label, "counts": Counter()})
        row["counts"][outcome] += 1
        outcomes[outcome] += 1
    # Incidents linked to a banded matter are not counted (they would reveal it).
    incidents = Incident.objects.filter(period.within("occurred_at")).exclude(matter_id__in=hidden)
    by_kind = Counter(incidents.values_list("kind", flat=True))
    completions = Completion.objects.filter(period.within("completed_at"))
    by_type = sorted(({"type": r["type"], "label": r["label"], "counts": {o: r["counts"].get(o, 0) for o in OUTCOMES},
                       "total": sum(r["counts"].values())} for r in rows.values()),
                     key=lambda r: (-r["total"], r["label"]))
    return {
        "period": {"year": period.year, "half": period.half, "label": period.label,
                   "start": period.start.isoformat(), "end": period.end.isoformat()},
        "band_size": band_size,
        "outcome_labels": {key: str(label) for key, label in OUTCOMES.items()},
        "by_type": by_type,
        "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
        "total": sum(outcomes.values()),
        "preservation_requests": preservation,
        "banded": [{"key": key, "label": str(label), "band": band(banded.get(key, 0), band_size)}
                   for key, label in BANDED.items()],
        "threats": by_kind.get(IncidentKind.THREAT, 0),
        "unauthorized_demands": by_kind.get(IncidentKind.UNAUTHORIZED_DEMAND, 0),
        "training": {"completions": completions.count(),
                     "people": completions.values("user").distinct().count()},
    }


def exact_figures(figures: dict) -> dict[str, int]:
    """Every exact number in ``figures``, by a name (for checking that none reveals a banded matter)."""
    found = {"total": figures["total"], "preservation_requests": figures["preservation_requests"],
             "threats": figures["threats"], "unauthorized_demands": figures["unauthorized_demands"],
             "training.completions": figures["training"]["completions"],
             "training.people": figures["training"]["people"]}
    found |= {f"outcome.{key}": n for key, n in figures["outcomes"].items()}
    for row in figures["by_type"]:
        found[f"type.{row['type']}"] = row["total"]
        found |= {f"type.{row['type']}.{key}": n for key, n in row["counts"].items()}
    return found
