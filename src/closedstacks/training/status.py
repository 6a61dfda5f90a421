"""Whose training is current, due or overdue: one definition, used by every page, the gate and the reminders.

A person must take every *published* module (active, with at least one
version) whose roles include one of theirs. For each such module, their
training is

``overdue``
    when they never completed any version of it, or their newest completion
    has expired (``expires_at`` is now or past);
``due``
    when it has not expired but expires within the longest reminder lead time
    the library set (``LibraryProfile.training_lead_days``, 30 days by default),
    counted in whole days;
``current``
    otherwise.

Due training is still valid: only overdue training stops someone acting on a
matter when the library requires training (see :mod:`closedstacks.training.gate`).

A completion of any version counts: a new version of a module does not undo
completions of earlier ones, which stay valid until they expire; the person's
next completion is of the newest version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.library.models import LibraryProfile
from closedstacks.training.models import Completion, Module


class Status(models.TextChoices):
    CURRENT = "current", _("Current")
    DUE = "due", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


# Worst first: a person's overall status is the worst of their modules'.
SEVERITY = [Status.OVERDUE, Status.DUE, Status.CURRENT]
CSS = {Status.CURRENT: "ok", Status.DUE: "pending", Status.OVERDUE: "bad"}


class Shown:
    """Something with a ``status``, shown as a label in a coloured badge."""

    status: str

    @property
    def label(self) -> str:
        return str(Status(self.status).label)

    @property
    def css(self) -> str:
        return CSS[self.status]


@dataclass(frozen=True)
class ModuleStatus(Shown):
    module: Module
    status: str
    expires_at: dt.datetime | None

    @property
    def never_completed(self) -> bool:
        return self.expires_at is None

    @property
    def valid(self) -> bool:
        return self.status != Status.OVERDUE


def due_window(profile: LibraryProfile | None = None) -> int:
    """How many days before expiry training counts as due: the longest reminder lead time."""
    return max((profile or LibraryProfile.current()).training_lead_days, default=0)


def classify(expires_at: dt.datetime | None, *, now: dt.datetime, window: int) -> str:
    if expires_at is None or expires_at <= now:
        return Status.OVERDUE
    if (timezone.localdate(expires_at) - timezone.localdate(now)).days <= window:
        return Status.DUE
    return Status.CURRENT


def worst(statuses) -> str | None:
    present = {item.status for item in statuses}
    return next((status for status in SEVERITY if status in present), None)


def published_modules() -> list[Module]:
    return list(Module.objects.published())


def assigned(modules: list[Module], roles) -> list[Module]:
    """The modules someone holding ``roles`` must take."""
    return [module for module in modules if module.assigned_to(roles)]


def latest_expiries(user=None) -> dict[tuple[int, int], dt.datetime]:
    """``{(user id, module id): newest expiry}`` over every completion (of one user, if given)."""
    rows = Completion.objects.all() if user is None else Completion.objects.filter(user=user)
    rows = rows.values("user_id", "version__module_id").annotate(expires=Max("expires_at")).order_by()
    return {(row["user_id"], row["version__module_id"]): row["expires"] for row in rows}


def statuses(user, modules: list[Module], expiries: dict, *, now: dt.datetime, window: int) -> list[ModuleStatus]:
    found = []
    for module in assigned(modules, user.roles):
        expires_at = expiries.get((user.pk, module.pk))
        found.append(ModuleStatus(module, classify(expires_at, now=now, window=window), expires_at))
    return found


def statuses_for(user, *, now: dt.datetime | None = None) -> list[ModuleStatus]:
    """Each module ``user`` must take, with their status in it (three queries)."""
    return statuses(user, published_modules(), latest_expiries(user), now=now or timezone.now(),
                    window=due_window())


def lapsed_modules(user, *, now: dt.datetime | None = None) -> list[Module]:
    """The assigned modules whose training is overdue for ``user``."""
    return [item.module for item in statuses_for(user, now=now) if not item.valid]
