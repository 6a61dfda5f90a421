"""API access: each operation declares its scope with ``auth=Scope("audit:read")``.

The API's default is :data:`DENY`, so an operation that declares nothing is
refused. Sessions are shared with the web pages (with CSRF checks on writes),
and the same sign-in steps apply: without the second factor, nothing answers.
"""

from __future__ import annotations

from ninja.errors import AuthorizationError
from ninja.security import SessionAuth

from closedstacks.access.roles import ALL_SCOPES
from closedstacks.access.scopes import SIGNED_IN
from closedstacks.access.signin import pending_step


class Scope(SessionAuth):
    def __init__(self, required: str):
        if required != SIGNED_IN and required not in ALL_SCOPES:
            raise ValueError(f"unknown scope {required!r}")
        super().__init__(csrf=True)
        self.required = required

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        if pending_step(request) is not None:
            raise AuthorizationError(message="Finish signing in first.")
        if self.required == SIGNED_IN or self.required in user.scopes:
            return user
        raise AuthorizationError(message="Your roles do not include this.")


def DENY(request):  # noqa: N802 - used like a constant
    """The default for operations that declare no scope: refuse."""
    return None
