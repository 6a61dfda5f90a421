"""The library's option to require current training before privileged staff act on a matter.

The procedure asks :func:`refusal` for every move, after the scope check
(``matters.gates.current_training``). It refuses only when the library turned
``LibraryProfile.training_required`` on, the person holds a privileged role
(officer, director, counsel, custodian), and some training assigned to them
is overdue. Logging an inquiry (and reporting a problem) never passes through
here: someone whose training lapsed still can, and must, do both.

The answer is kept on the user object, so a page that checks every move asks
the database once: no query at all for someone with no privileged role, and
only the library profile's row when the option is off. A web request has a
user object of its own, so this is a per-request cache; code that changes
the answer for a user object it keeps calls :func:`forget`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from closedstacks.access.roles import PRIVILEGED_ROLES
from closedstacks.library.models import LibraryProfile
from closedstacks.training.status import lapsed_modules

_CACHE = "_training_gate_lapsed"


def lapsed_for_gate(user) -> tuple[str, ...]:
    """Titles of the modules ``user`` must complete before acting on a matter (none: free to act)."""
    cached = user.__dict__.get(_CACHE)
    if cached is None:
        cached = ()
        if user.roles & PRIVILEGED_ROLES and LibraryProfile.current().training_required:
            cached = tuple(module.title for module in lapsed_modules(user))
        user.__dict__[_CACHE] = cached
    return cached


def forget(user) -> None:
    user.__dict__.pop(_CACHE, None)


def refusal(user) -> str | None:
    """Why ``user`` may not act on a matter until they complete their training; None: they may."""
    lapsed = lapsed_for_gate(user)
    if not lapsed:
        return None
    return _("Complete your training first: %(modules)s. You can still log an inquiry or report a problem.") % {
        "modules": "; ".join(lapsed)}
