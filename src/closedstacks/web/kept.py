"""What a page keeps in this process between changes: worked out once, shown again until the audit trail
records a change, for at most the minute it was made in.

Every change a page can show is recorded on the trail (the product's rule), so a page's panel or content is
keyed on the trail's latest change (looks and sign-ins are not changes: audit/quiet.py) and on the minute — the
minute bounds what changes with the clock alone (a deadline falling due). The audit app, above this one, gives
the latest change when it starts (audit/apps.py, :func:`key_on`); until then nothing is kept.

What is kept may be confidential (a matter's page), so it stays in this process's memory — never a shared cache,
a file or the database — is keyed on the person it was made for, and is dropped once its minute has passed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

from django.utils import timezone
from django.utils.translation import get_language

_LATEST_CHANGE: list[Callable] = []


def key_on(latest_change: Callable) -> None:
    _LATEST_CHANGE[:] = [latest_change]


def moment(*parts) -> tuple | None:
    """The key of what may be kept now for ``parts`` (a person, what they look at …): with the language, the
    time zone, the trail's latest change and the minute; None when nothing may be kept (no change recorded
    yet, or the trail unknown)."""
    head = _LATEST_CHANGE[0]() if _LATEST_CHANGE else None
    if head is None:
        return None
    return (*parts, get_language(), timezone.get_current_timezone_name(), head, _minute())


def _minute():
    return timezone.now().replace(second=0, microsecond=0)


class Keeper:
    """At most ``size`` results, the least recently used dropped first, and none of a past minute."""

    def __init__(self, size: int):
        self.size = size
        self._kept: OrderedDict = OrderedDict()  # key -> (minute, result)
        self._lock = threading.Lock()
        _KEEPERS.append(self)

    def keep(self, key, result) -> None:
        minute = _minute()
        with self._lock:
            self._kept[key] = (minute, result)
            for old in [k for k, (made, _r) in self._kept.items() if made != minute]:
                del self._kept[old]
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def kept(self, key, work: Callable):
        """The result kept for ``key``; else ``work()``, kept. ``key`` None keeps nothing."""
        if key is None:
            return work()
        with self._lock:
            if key in self._kept and self._kept[key][0] == _minute():
                self._kept.move_to_end(key)
                return self._kept[key][1]
        result = work()
        self.keep(key, result)
        return result

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_KEEPERS: list[Keeper] = []


def forget() -> None:
    """Drop everything every page keeps (the tests do, between tests)."""
    for keeper in _KEEPERS:
        keeper.clear()
