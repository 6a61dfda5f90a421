"""The home page shows each person what waits for them.

Each app contributes panels for the scopes it serves::

    @home.panel("audit:read")
    def verification(user): return Panel(...)

A panel appears only to those who hold its scope.

A panel is worked out again only when something has happened: every change a panel can show is recorded on the
audit trail, so a panel is kept (in this process, web/kept.py) for the person, their language and the trail's
latest change (looks and sign-ins change nothing: audit/quiet.py), for at most a minute — the minute bounds what
changes with the clock alone (a report falling overdue). A panel
that shows what the trail does not record (sign-in lockouts) says ``live=True`` and is worked out every time.
With eight panels and their two dozen queries, the home page otherwise costs three times a plain page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from closedstacks.access.scopes import user_has_scope
from closedstacks.web import kept


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


_PROVIDERS: list[tuple[str, Callable, bool]] = []


def panel(required: str, *, live: bool = False):
    def register(provider: Callable):
        _PROVIDERS.append((required, provider, live))
        return provider

    return register


_PANELS = kept.Keeper(512)


def panels_for(user) -> list[Panel]:
    moment = kept.moment(user.pk)
    found = []
    for required, provider, live in _PROVIDERS:
        if user_has_scope(user, required):
            if live or moment is None:
                result = provider(user)
            else:
                result = _PANELS.kept((moment, provider.__module__, provider.__qualname__),
                                      lambda p=provider: p(user))
            if result is not None:
                found.append(result)
    return found
