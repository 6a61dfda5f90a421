"""Changing what the library says about itself: every change audited."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from closedstacks.audit.trail import record
from closedstacks.library.models import ChecklistItem, LibraryProfile, PolicyVersion


def save_profile(profile: LibraryProfile, changed: list[str], *, by) -> None:
    with transaction.atomic():
        profile.save()
        record("library.profile_changed", actor=by, obj=profile, details={"fields": sorted(changed)})


def new_policy_version(*, title: str, text: str, by) -> PolicyVersion:
    """Policies are never edited in place: a change is the next version.

    Two people saving at once take turns on the library's profile row (FOR UPDATE on an aggregate locks
    nothing), so each gets the next number.
    """
    LibraryProfile.current()  # the row exists
    with transaction.atomic():
        LibraryProfile.objects.select_for_update().get(pk=1)
        number = (PolicyVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        version = PolicyVersion.objects.create(number=number, title=title.strip(), text=text, created_by=by)
        record("policy.version_created", actor=by, obj=version, details={"number": number})
    return version


def save_checklist_item(item: ChecklistItem, *, by) -> ChecklistItem:
    with transaction.atomic():
        created = item.pk is None
        item.save()
        record("checklist.item_added" if created else "checklist.item_changed", actor=by, obj=item,
               details={"instrument_type": item.instrument_type, "active": item.active})
    return item


def save_setting(instance, *, by, action: str):
    """Save a contact, a branch or a service point: ``action`` is its audit name, e.g. ``library.contact``."""
    with transaction.atomic():
        created = instance.pk is None
        instance.save()
        record(f"{action}_{'added' if created else 'changed'}", actor=by, obj=instance)
    return instance


def delete_setting(instance, *, by, action: str) -> None:
    """Remove a contact, a branch or a service point (a branch still in use is refused by the database)."""
    with transaction.atomic():
        record(f"{action}_removed", actor=by, obj=instance)
        instance.delete()
