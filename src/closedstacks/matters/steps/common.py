"""Helpers the steps share: who is told, who is named."""

from __future__ import annotations

from closedstacks.access.roles import Role
from closedstacks.accounts.models import User
from closedstacks.library.models import LibraryProfile
from closedstacks.matters.models import Matter, MatterMember


def name_on(matter: Matter, *people) -> None:
    for person in people:
        if person is not None:
            MatterMember.objects.get_or_create(matter=matter, user=person)


def holders(*roles: str):
    return User.objects.filter(is_active=True, role_grants__role__in=roles).distinct()


def audience(matter: Matter, *roles: str) -> list:
    """Active people with one of ``roles`` who may see ``matter`` (only those named, under a nondisclosure order)."""
    people = holders(*roles)
    if matter.under_nondisclosure:
        people = people.filter(pk__in=MatterMember.objects.filter(matter=matter).values("user"))
    return list(people)


def officers(matter: Matter) -> list:
    """The matter's officer, or the library's responsible officer and alternate, or every officer."""
    if matter.officer_id:
        chosen = [matter.officer]
    else:
        chosen = LibraryProfile.current().officers() or list(holders(Role.OFFICER))
    if matter.under_nondisclosure:
        named = set(MatterMember.objects.filter(matter=matter).values_list("user_id", flat=True))
        chosen = [person for person in chosen if person.pk in named]
    return chosen


def directors(matter: Matter) -> list:
    return audience(matter, Role.DIRECTOR)


def assigned(person) -> list:
    return [person] if person is not None else []
