"""What each library system can unlink, and the defaults a library starts from.

A retention policy says, for one connection and one kind of record: keep it
linked to the user for N days after it closes (the loan returned, the hold
filled or cancelled, the fine paid, the search made), then unlink the user.
The defaults follow the ALA's advice — keep what identifies a user only as
long as it is needed — and each is the library's to change (the officer's,
audited). The user's own opt-in (Koha ``privacy = 0``, Evergreen's reading
history) is respected by default; outstanding fines are kept by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from closedstacks.library.choices import RecordKind


@dataclass(frozen=True)
class Default:
    keep_days: int
    respect_opt_in: bool = True
    keep_outstanding: bool = False
    closes: str = ""  # what "closed" means for this kind, in words


DEFAULTS: dict[str, Default] = {
    RecordKind.PAST_LOANS: Default(30, closes=_("returned")),
    RecordKind.PAST_HOLDS: Default(30, closes=_("filled, cancelled or expired")),
    RecordKind.FINES: Default(30, keep_outstanding=True, closes=_("paid or written off")),
    RecordKind.SEARCH_HISTORY: Default(1, respect_opt_in=False, closes=_("made")),
    # Koha's own cleanup_database.pl --mail deletes notices after 30 days by default.
    RecordKind.NOTICES: Default(30, respect_opt_in=False, closes=_("queued")),
    RecordKind.STATISTICS: Default(30, respect_opt_in=False, closes=_("recorded")),
    RecordKind.READING_HISTORY: Default(0, closes=_("returned (kept only for users who opted in)")),
}

# The kinds each library system's retention can unlink, following that system's own convention.
KINDS_BY_SYSTEM: dict[str, list[str]] = {
    "koha": [RecordKind.PAST_LOANS, RecordKind.PAST_HOLDS, RecordKind.FINES, RecordKind.SEARCH_HISTORY,
             RecordKind.STATISTICS, RecordKind.NOTICES],
    "evergreen": [RecordKind.PAST_LOANS, RecordKind.PAST_HOLDS, RecordKind.READING_HISTORY],
}

MAX_DAYS = 36_500
