"""What a retention engine (one per library system) and the run share: legal holds as the run sees them, and
one batch's plan.

A run walks each kind's table by primary key. For each batch the engine
*plans* (reads: the batch's last key and its counts — examined, kept for
holds, kept for the user's opt-in, and how many rows it will unlink), then
*applies* the plan in the caller's transaction (set-based statements over
the batch's key range, the unlink conditions in SQL; the few rows of users
under a legal hold are decided one by one here and listed in ``ids``), and
can tell afterwards whether an applied plan *committed* (to resume after an
interruption). Engines are modules with::

    SPECS: dict[str, object]                  # the kinds it unlinks, in the order a run takes them
    def context(db) -> object                 # what every batch needs (Koha: the AnonymousPatron); may raise
                                              # ConnectorError when the library system is not set up for it
    STEPS: dict[str, str]                     # each step of a run (a table) and the policy kind it follows
    def plan(db, step, after, size, policy, held, ctx, *, exact) -> Batch | None   # None: no rows after it
    def apply(db, step, batch, policy, held, ctx) -> int                 # rows unlinked, uncommitted
    def committed(db, step, batch, policy, held, ctx) -> bool
    def linked_in(db, step, batch, ctx) -> int                            # optional: rows of the batch's range
                                                                         # still linked now (see runs._walk)
    def extent(db, step) -> int                                          # the highest key (for progress)
    def census(db, step, buckets, ctx) -> dict[str, int]                 # rows still linked, by age

A plan may leave ``due`` None (a real run: what the unlinking changed tells it, see ``Batch.applied``); with
``exact`` (a dry run, which changes nothing) it counts it.

``policy`` is the run's snapshot of one kind's policy (``cutoff`` an ISO
date, ``respect_opt_in``, ``keep_days``); ``held`` maps the library
system's user id (a string) to that user's ``Held`` list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Held:
    """One legal hold over one user: the kinds it covers (none: all) and its dates (none: all)."""

    kinds: frozenset
    date_from: dt.date | None
    date_to: dt.date | None

    def covers(self, kind: str, day: dt.date | None) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if day is None:
            return True
        return not ((self.date_from and day < self.date_from) or (self.date_to and day > self.date_to))


def held_for(kind: str | None, held: dict[str, list[Held]]) -> list[int]:
    """The (numeric) ids of the users with a hold that covers ``kind`` on some date (``None``: any hold): their rows
    are decided one by one."""
    return sorted(int(user) for user, holds in held.items() if str(user).isdigit() and (
        kind is None or any(not h.kinds or kind in h.kinds for h in holds)))


def in_list(values) -> str:
    """``(%s, %s, …)``: one placeholder per value, for ``IN``."""
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def covered(kind: str, user, day: dt.date | None, held: dict[str, list[Held]]) -> bool:
    key = str(user)
    return any(h.covers(kind, day) for h in held.get(key, ()))


@dataclass
class Batch:
    """One batch: the key range (``after``, ``to``] and what the run does to it (counts, never users)."""

    after: int
    to: int
    examined: int
    kept_for_holds: int = 0
    kept_opt_in: int = 0
    due: int | None = 0  # rows the set-based statements unlink; None: known once applied (``applied``)
    ids: list[int] = field(default_factory=list)  # rows of held users that no hold covers, unlinked by key
    eligible: int = 0  # rows of users under no hold, linked and closed before the cutoff (opted in or not)
    counted: bool = True  # False: what it unlinks is known only once applied (at most ``examined``)
    linked: int | None = None  # rows of its range still linked to a user when planned (engines with ``linked_in``)

    @property
    def unlinking(self) -> int:
        """How many rows the batch unlinks (as far as known before it is applied)."""
        if self.due is None:
            return (self.eligible if self.counted else self.examined) + len(self.ids)
        return self.due + len(self.ids)

    def applied(self, changed: int) -> None:
        """Once applied: the set-based rows unlinked are what changed (and, if the plan counted the eligible, the
        rest of them are the users' own choice)."""
        if self.due is None:
            self.due = max(0, changed - len(self.ids))
            if self.counted:
                self.kept_opt_in += max(0, self.eligible - self.due)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Batch:
        return cls(**{k: data[k] for k in ("after", "to", "examined", "kept_for_holds", "kept_opt_in", "due", "ids",
                                           "eligible", "counted", "linked") if k in data})


def day(value) -> dt.date | None:
    """A date from whatever the driver returns for a date or a timestamp (None stays None)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
