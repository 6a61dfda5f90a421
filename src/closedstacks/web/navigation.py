"""The navigation bar: each link shows only to those whose scope reaches it.

A link's scope is not written twice: it is read from the URL's own
declaration in ``urls.py``.
"""

from __future__ import annotations

import functools

from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from closedstacks.access.scopes import declared_scope, user_has_scope

# (URL name, label), in the order shown. Later apps add theirs here.
LINKS = [
    ("web:home", _("Home")),
    ("dashboard:dashboard", _("Dashboard")),
    ("matters:log", _("Log an inquiry")),
    ("incidents:new", _("Report a problem")),
    ("incidents:desk", _("Reports")),
    ("incidents:mine", _("My reports")),
    ("matters:queues", _("Matters")),
    ("matters:deadlines", _("Deadlines")),
    ("matters:holds", _("Holds")),
    ("retention:policies", _("Retention")),
    ("retention:privacy-audit", _("Privacy audit")),
    ("transparency:reports", _("Transparency")),
    ("audit:entries", _("Audit trail")),
    ("accounts:list", _("Accounts")),
    ("library:profile", _("The library")),
    ("library:branches", _("Branches")),
    ("ils:connections", _("Library system")),
    ("library:contacts", _("Contacts")),
    ("library:checklists", _("Checklists")),
    ("library:policy", _("Policy")),
    ("training:mine", _("Training")),
    ("training:compliance", _("Compliance")),
    ("notices:inbox", _("Notices")),
    ("accounts:me", _("My account")),
]


@functools.cache
def scope_of(url_name: str) -> str | None:
    return declared_scope(resolve(reverse(url_name)).func)


def can_open(user, url_name: str) -> bool:
    required = scope_of(url_name)
    return required is not None and user_has_scope(user, required)


def links_for(user) -> list[tuple[str, str]]:
    return [(name, label) for name, label in LINKS if can_open(user, name)]
