"""The home page shows each person what waits for them.

Each app contributes panels for the scopes it serves::

    @home.panel("audit:read")
    def verification(user): return Panel(...)

A panel appears only to those who hold its scope.

A panel is worked out again only when something has happened: every change a panel can show is recorded on the
audit trail, so a panel is kept (in this process) for the person, their language and the trail's latest change
(looks and sign-ins change nothing: audit/quiet.py), for at most a minute — the minute bounds what changes with
the clock alone (a report falling overdue). A panel
that shows what the trail does not record (sign-in lockouts) says ``live=True`` and is worked out every time.
With eight panels and their two dozen queries, the home page otherwise costs three times a plain page.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from django.utils import timezone
from django.utils.translation import get_language

from closedstacks.access.scopes import user_has_scope


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


_KEPT: OrderedDict = OrderedDict()  # key -> Panel or None, the least recently used first
_KEEP = 512
_LOCK = threading.Lock()


# What a kept panel is keyed on besides the person and the minute: the trail's latest change, (seq, hash) or
# None. The audit app, above this one, gives it when it starts (audit/apps.py); until then nothing is kept.
_LATEST_CHANGE: list[Callable] = []


def key_on(latest_change: Callable) -> None:
    _LATEST_CHANGE[:] = [latest_change]


def forget() -> None:
    """Drop every kept panel (the tests do, between tests)."""
    with _LOCK:
        _KEPT.clear()


def _kept(key, work: Callable):
    with _LOCK:
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]
    result = work()
    with _LOCK:
        _KEPT[key] = result
        while len(_KEPT) > _KEEP:
            _KEPT.popitem(last=False)
    return result


def panels_for(user) -> list[Panel]:
    head = _LATEST_CHANGE[0]() if _LATEST_CHANGE else None
    # Nothing recorded yet: nothing to key on, so nothing is kept.
    moment = (user.pk, get_language(), head, timezone.now().replace(second=0, microsecond=0)) if head else None
    found = []
    for required, provider, live in _PROVIDERS:
        if user_has_scope(user, required):
            if live or moment is None:
                result = provider(user)
            else:
                result = _kept((moment, provider.__module__, provider.__qualname__), lambda p=provider: p(user))
            if result is not None:
                found.append(result)
    return found
