"""Opening a matter, or anything of it: the one road in, and every look on the audit trail.

Every page, step page, API answer, document, letter and production download that shows what a matter holds
opens the matter through :func:`open_matter`: it answers 404 for a matter the person may not open (so they
cannot tell it from one that does not exist) and records the look (``matter.viewed``, with what was looked at)
in the same transaction as it is read. Files — the instrument, the desk's document, a production — go only to
the people on the matter (:func:`on_matter`), not to everyone whose role could open it.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404

from closedstacks.access.objects import get_visible_or_404
from closedstacks.audit.trail import record
from closedstacks.matters.models import Matter, MatterMember


def looked(user, matter: Matter, look: str, **details) -> None:
    """Put one look at ``matter`` on the trail: ``look`` says what was seen (page, step, api, document …)."""
    with transaction.atomic():
        record("matter.viewed", actor=user, obj=matter, details={"look": look, **details})


def open_matter(user, reference: str, *, look: str | None, related: tuple[str, ...] = (), **details) -> Matter:
    """The matter ``reference`` if ``user`` may open it (else 404), its look recorded unless ``look`` is None
    (for a caller that records its own look, or shows nothing of the matter)."""
    matter = get_visible_or_404(Matter, user, reference=reference, related=related)
    if look is not None:
        looked(user, matter, look, **details)
    return matter


def on_matter(matter: Matter, user) -> bool:
    """Whether ``user`` is one of the people on ``matter``: its officer, counsel or custodian, or named on it."""
    if user.pk in (matter.officer_id, matter.counsel_id, matter.custodian_id):
        return True
    return MatterMember.objects.filter(matter=matter, user=user).exists()


def open_for_files(user, reference: str, *, related: tuple[str, ...] = ()) -> Matter:
    """The matter, for a download of one of its files: only for the people on it; 404 for everyone else (a
    director or officer who may read the matter but is not on it included)."""
    matter = get_visible_or_404(Matter, user, reference=reference, related=related)
    if not on_matter(matter, user):
        raise Http404
    return matter
