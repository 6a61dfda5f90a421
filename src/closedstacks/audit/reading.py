"""Reading the trail as a person may read it.

Entries about a matter sealed from the reader (see :mod:`closedstacks.access.sealed`) stay in the list, in
sequence, with their number, time and hashes, so the reader still sees a whole chain; their actor, action,
object and details are withheld. A search by actor, action or object leaves them out altogether: the entries it
finds must be the same as if the sealed matter did not exist. ``closedstacks audit verify`` and the
verification job read every entry in full.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from closedstacks.access import sealed
from closedstacks.audit.models import AuditEntry, EntryMatter

# What a search names: a withheld entry can never be found by them.
NARROWING = ("actor", "action", "object_type", "object_id")
WITHHELD_FIELDS = ("actor_id", "actor_label", "action", "object_type", "object_id", "details")


def readable(user, queryset=None):
    """Every entry, each marked ``withheld`` when it is about a matter sealed from ``user``."""
    about_sealed = EntryMatter.objects.filter(seq=OuterRef("seq"), matter_id__in=sealed.hidden_from(user))
    return (AuditEntry.objects.all() if queryset is None else queryset).annotate(withheld=Exists(about_sealed))


def narrowed(queryset, searched: dict):
    """``queryset`` without the withheld entries when the search names an actor, an action or an object."""
    if any(searched.get(name) for name in NARROWING):
        return queryset.filter(withheld=False)
    return queryset


def shown(values: dict, withheld: bool) -> dict:
    """One entry's fields as the reader may see them."""
    if not withheld:
        return values
    return {**values, **{name: ("{}" if name == "details" else None if name == "actor_id" else "")
                         for name in WITHHELD_FIELDS if name in values}}
