"""The navigation: links in groups, each link shown only to those whose scope reaches it.

A link's scope is not written twice: it is read from the URL's own
declaration in ``urls.py``. A group with no link for the person does not
show; a group with one shows as that link alone (no menu of one).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from closedstacks.access.scopes import declared_scope, user_has_scope

# (group label, [(URL name, label)]), in the order shown. Later apps add theirs here.
GROUPS = [
    (_("Matters"), [
        ("matters:log", _("Log an inquiry")),
        ("matters:queues", _("Matters")),
        ("matters:deadlines", _("Deadlines")),
        ("matters:holds", _("Holds")),
    ]),
    (_("Reports"), [
        ("incidents:new", _("Report a problem")),
        ("incidents:desk", _("Reports")),
        ("incidents:mine", _("My reports")),
    ]),
    (_("Records and retention"), [
        ("retention:policies", _("Retention")),
        ("retention:privacy-audit", _("Privacy audit")),
        ("ils:connections", _("Library system")),
    ]),
    (_("Oversight"), [
        ("dashboard:dashboard", _("Dashboard")),
        ("transparency:reports", _("Transparency")),
        ("audit:entries", _("Audit trail")),
    ]),
    (_("The library"), [
        ("library:profile", _("Library profile")),
        ("library:branches", _("Branches")),
        ("library:contacts", _("Contacts")),
        ("library:directory", _("Agencies and courts")),
        ("library:checklists", _("Checklists")),
        ("library:policy", _("Policy")),
        ("accounts:list", _("Accounts")),
    ]),
    (_("Training"), [
        ("training:mine", _("Training")),
        ("training:compliance", _("Compliance")),
    ]),
]
# The person's own, apart at the end (with signing out): their notices, their account.
OWN = [
    ("notices:inbox", _("Notices")),
    ("accounts:me", _("My account")),
]
# Every link, in the order shown.
LINKS = [link for _label, links in GROUPS for link in links] + OWN


@dataclass(frozen=True)
class Group:
    label: str
    links: list[tuple[str, str]]

    @property
    def names(self) -> list[str]:
        return [name for name, _label in self.links]


@functools.cache
def scope_of(url_name: str) -> str | None:
    return declared_scope(resolve(reverse(url_name)).func)


def can_open(user, url_name: str) -> bool:
    required = scope_of(url_name)
    return required is not None and user_has_scope(user, required)


def links_for(user) -> list[tuple[str, str]]:
    return [(name, label) for name, label in LINKS if can_open(user, name)]


def groups_for(user) -> list[Group]:
    """The groups with at least one link the person may open, each with those links only."""
    groups = [Group(label, [(name, text) for name, text in links if can_open(user, name)]) for label, links in GROUPS]
    return [group for group in groups if group.links]


def own_links_for(user) -> list[tuple[str, str]]:
    return [(name, label) for name, label in OWN if can_open(user, name)]
