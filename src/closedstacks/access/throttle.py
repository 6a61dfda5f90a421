"""Rate limits: sign-in attempts per client address, and the API's changes per account and per client address.

The counting is django-ninja's (:class:`ninja.throttling.SimpleRateThrottle`: the times of a client's recent
requests, a sliding window), kept in the ``throttle`` cache, a database table made by this app's migration, so
that every gunicorn worker and thread counts the same requests. The rates are settings (``SIGN_IN_RATE``,
``API_WRITE_RATE``, ``API_WRITE_RATE_PER_ADDRESS``, from ``CLOSEDSTACKS_*`` variables checked at start-up), read
on each request. A client over a limit gets 429 with ``Retry-After``: the page saying so for sign-in
(:func:`limit_sign_in`), JSON for the API (:class:`WriteThrottle`, and the handler in ``closedstacks.api``).

Lockout of an account after wrong passwords is django-axes's, by account; this is by address, so one place
trying many accounts is slowed too.
"""

from __future__ import annotations

import logging
import math
import threading
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from django.utils.connection import ConnectionProxy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.throttling import BaseThrottle, SimpleRateThrottle

CACHE = "throttle"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = logging.getLogger("closedstacks.access")


class _Count(SimpleRateThrottle):
    """One request counted against one rate for one client. Made afresh for each request: ninja's throttles keep
    the request they are counting on themselves, and a worker serves several requests at once."""

    cache = ConnectionProxy(caches, CACHE)

    def __init__(self, rate: str, scope: str, ident):
        self.scope, self.ident = scope, ident
        super().__init__(rate)

    def get_cache_key(self, request) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}

    def wait(self) -> int:
        """Whole seconds until the client may try again: until the oldest request that keeps it at the limit
        leaves the window."""
        keeping = self.history[self.num_requests - 1]
        return max(1, math.ceil(self.duration - (self.now - keeping)))


def client_address(request) -> str | None:
    """REMOTE_ADDR, or behind ``NINJA_NUM_PROXIES`` proxies the address the one clients connect to saw (ninja's
    rule: that many entries from the end of X-Forwarded-For)."""
    return BaseThrottle().get_ident(request)


def count(request, *, rate: str | None, scope: str, ident) -> int | None:
    """Count this request; None while within ``rate`` (or with no rate), else the seconds to wait."""
    if rate is None:
        return None
    counted = _Count(rate, scope, ident)
    return None if counted.allow_request(request) else counted.wait()


def waiting(seconds: int) -> str:
    return ngettext("Wait %(n)d second, then try again.", "Wait %(n)d seconds, then try again.",
                    seconds) % {"n": seconds}


class WriteThrottle(BaseThrottle):
    """For the API: counts changes (POST, PUT, PATCH, DELETE), never reads, per signed-in account
    (``per="account"``) or per client address (``per="address"``), against the rate in ``setting``."""

    def __init__(self, *, per: str, setting: str):
        if per not in ("account", "address"):
            raise ValueError(f"per must be account or address, not {per!r}")
        self.per, self.setting = per, setting
        self._wait = threading.local()  # ninja asks wait() right after allow_request(), in the same thread

    def allow_request(self, request) -> bool:
        self._wait.seconds = None
        if request.method in SAFE_METHODS:
            return True
        user = getattr(request, "user", None)
        if self.per == "account" and user is not None and user.is_authenticated:
            ident = f"account-{user.pk}"
        else:
            ident = f"address-{client_address(request)}"
        self._wait.seconds = count(request, rate=getattr(settings, self.setting), scope=f"api-{self.per}",
                                   ident=ident)
        return self._wait.seconds is None

    def wait(self) -> int | None:
        return getattr(self._wait, "seconds", None)


def api_throttles() -> list[WriteThrottle]:
    return [WriteThrottle(per="account", setting="API_WRITE_RATE"),
            WriteThrottle(per="address", setting="API_WRITE_RATE_PER_ADDRESS")]


def api_refusal(wait: int | None) -> dict:
    """The API's answer to a throttled change (ninja adds Retry-After)."""
    detail = _("Too many changes in a short time.")
    return {"detail": f"{detail} {waiting(wait)}" if wait else detail}


def limit_sign_in(view):
    """Refuse sign-in attempts (POSTs) from a client address beyond ``SIGN_IN_RATE``: 429 and a page saying
    when to try again. Nothing is checked against an account, so axes counts no failure for them."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            wait = count(request, rate=settings.SIGN_IN_RATE, scope="sign-in", ident=client_address(request))
            if wait is not None:
                log.warning("sign-in attempts throttled for a client address")
                response = render(request, "web/429.html", {"wait": waiting(wait)}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return limited
