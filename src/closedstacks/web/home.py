"""The home page shows each person what waits for them.

Each app contributes panels for the scopes it serves::

    @home.panel("audit:read")
    def verification(user): return Panel(...)

A panel appears only to those who hold its scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from closedstacks.access.scopes import user_has_scope


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


_PROVIDERS: list[tuple[str, Callable]] = []


def panel(required: str):
    def register(provider: Callable):
        _PROVIDERS.append((required, provider))
        return provider

    return register


def panels_for(user) -> list[Panel]:
    found = []
    for required, provider in _PROVIDERS:
        if user_has_scope(user, required):
            result = provider(user)
            if result is not None:
                found.append(result)
    return found
