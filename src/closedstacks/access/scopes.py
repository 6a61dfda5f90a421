"""Declaring, in ``urls.py``, the scope each view needs.

Every URL pattern wraps its view in :func:`scope`::

    path("audit/", scope("audit:read", views.entries), name="entries")

so an app's ``urls.py`` is its access table. :class:`AccessMiddleware` refuses
any view that carries no declaration, and the authorization-matrix test walks
every pattern against these declarations.

Besides named scopes there are three gates that do not come from roles:

``PUBLIC``
    anyone, signed in or not (the sign-in page, the health check);
``SIGN_IN_STEP``
    someone who gave a correct password but has not yet finished signing in
    (second factor, enrolment, a forced password change, signing out);
``SIGNED_IN``
    anyone fully signed in, whatever their roles (home, own account).
"""

from __future__ import annotations

import functools
from typing import Callable

from closedstacks.access.roles import ALL_SCOPES

PUBLIC = "@public"
SIGN_IN_STEP = "@sign-in-step"
SIGNED_IN = "@signed-in"
API = "@api"  # the API checks each operation's own declaration (closedstacks.access.api)
GATES = frozenset({PUBLIC, SIGN_IN_STEP, SIGNED_IN, API})

ATTRIBUTE = "closedstacks_scope"


def scope(required: str, view: Callable) -> Callable:
    """Return ``view`` marked as needing ``required`` (a scope or a gate)."""
    if required not in GATES and required not in ALL_SCOPES:
        raise ValueError(f"unknown scope {required!r}: add it to a role in closedstacks.access.roles")

    @functools.wraps(view)
    def declared(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    setattr(declared, ATTRIBUTE, required)
    return declared


def declared_scope(view: Callable) -> str | None:
    return getattr(view, ATTRIBUTE, None)


def user_has_scope(user, required: str) -> bool:
    """Whether a fully signed-in ``user`` passes ``required``."""
    if required == PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if required in (SIGNED_IN, SIGN_IN_STEP):
        return True
    return required in user.scopes
