"""What every connector to a library system (ILS) offers, and the shapes it answers in.

A connector is read-only: it tests the connection, resolves the identifiers
an instrument gives (card number, username, id, name with date of birth) to
the ILS's own user ids, says which kinds of record it can find, counts what a
:class:`Scope` covers, and extracts it row by row as dicts with the columns
:data:`COLUMNS` names for that kind (the same for every ILS, so a production
reads alike whatever the library runs). Connectors select only the columns
they need, tolerate every other column a real schema has, and pass input
only as query parameters, never by building SQL from it.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from closedstacks.ils.connectors import versions
from closedstacks.ils.connectors.db import DRIVER_ERRORS, ConnectionSettings, Database, connect
from closedstacks.ils.connectors.errors import ConnectorError
from closedstacks.library.choices import RecordKind

# The columns of a production, per kind of record. ``user`` is the ILS's user id;
# ``card`` the user's barcode at extraction time. Dates are ISO strings or None.
COLUMNS: dict[str, list[str]] = {
    RecordKind.PATRON_RECORD: ["user", "card", "username", "surname", "first_name", "date_of_birth", "address",
                               "email", "phone", "branch", "category"],
    RecordKind.CURRENT_LOANS: ["user", "card", "loan", "checked_out", "due", "renewals", "item_barcode", "title",
                               "author", "call_number", "branch"],
    RecordKind.PAST_LOANS: ["user", "card", "loan", "checked_out", "due", "returned", "renewals", "item_barcode",
                            "title", "author", "call_number", "branch"],
    RecordKind.HOLDS: ["user", "card", "hold", "placed", "status", "title", "author", "pickup_branch"],
    RecordKind.PAST_HOLDS: ["user", "card", "hold", "placed", "ended", "outcome", "title", "author",
                            "pickup_branch"],
    RecordKind.FINES: ["user", "card", "fine", "date", "amount", "outstanding", "description", "item_barcode"],
    RecordKind.SEARCH_HISTORY: ["user", "card", "searched_at", "query", "results"],
    RecordKind.STATISTICS: ["user", "card", "at", "type", "branch", "item_barcode"],
    RecordKind.READING_HISTORY: ["user", "card", "checked_out", "due", "returned", "item_barcode", "title",
                                 "author"],
}

IDENTIFIER_TYPES = ("card", "username", "id", "name")


@dataclass(frozen=True)
class Scope:
    """What to count or extract: these ILS user ids, these kinds, between these dates (inclusive)."""

    users: tuple[str, ...]
    kinds: tuple[str, ...]
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass
class TestReport:
    """What "Test connection" found: each table the connector needs and its row count (None: missing)."""

    ok: bool
    tables: dict[str, int | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    server: str = ""
    version: str = ""  # the library system's own release, as it records it
    warnings: list[str] = field(default_factory=list)  # settings to fix that do not stop the connection working


class Connector(ABC):
    """One library system. Subclasses set ``name`` and ``label`` and implement the five operations."""

    name: str = ""
    label: str = ""
    drivers: tuple[str, ...] = ()  # which ConnectionSettings.driver values it accepts

    def __init__(self, settings: ConnectionSettings):
        if settings.driver not in self.drivers:
            raise ConnectorError(f"{self.label} connects over {' or '.join(self.drivers)}, not {settings.driver}.")
        self.settings = settings
        self._kept: Database | None = None
        self._release_checked = False  # whether the system's release was read and found supported

    def release(self, db: Database) -> versions.Release | None:
        """The library system's release (raises ConnectorError for one Closed Stacks does not support)."""
        return versions.require_supported(self.name, db)

    def report_release(self, db: Database, report: TestReport) -> None:
        """For test(): the release, and what to do about it."""
        release = versions.read(self.name, db)
        report.version = str(release) if release else ""
        refused = versions.problem(release, self.name)
        if refused:
            report.problems.append(refused)
        report.warnings.extend(versions.warnings(release, self.name))

    @contextmanager
    def keep_open(self) -> Iterator[Connector]:
        """Run several operations (count, then extract) over one connection instead of one each."""
        with self.session() as db:
            self._kept = db
            try:
                yield self
            finally:
                self._kept = None

    @contextmanager
    def session(self) -> Iterator[Database]:
        """A read-only connection; a driver error during a query becomes a ConnectorError that names no data.

        PostgreSQL runs in a read-only transaction (its server-side cursors need one, and it makes the
        promise explicit); SQLite files are opened read-only; MariaDB relies on the read-only account.
        """
        if self._kept is not None:
            yield self._kept
            return
        postgresql = self.settings.driver == "postgresql"
        with connect(self.settings, autocommit=not postgresql) as db:
            if postgresql:
                db.connection.read_only = True
            try:
                if not self._release_checked and not getattr(self, "_testing", False):
                    self.release(db)  # an unsupported release is refused before anything is read
                    self._release_checked = True
                yield db
            except ConnectorError:
                raise
            except DRIVER_ERRORS as exc:
                raise ConnectorError(f"{self.label} at {self.settings.where} could not answer a query "
                                     f"({type(exc).__name__}); run Test connection to check its tables.") from None
            finally:
                if postgresql and not db.connection.closed:
                    db.connection.rollback()

    @abstractmethod
    def test(self) -> TestReport:
        """Connect, check every table and column the connector reads, and count rows."""

    @abstractmethod
    def kinds(self) -> list[str]:
        """The RecordKind values this connector can find."""

    @abstractmethod
    def resolve(self, identifier_type: str, value: str, *, date_of_birth: dt.date | None = None) -> list[str]:
        """The ILS user ids matching one identifier (a name needs the date of birth to be unambiguous)."""

    @abstractmethod
    def count(self, scope: Scope) -> dict[str, int]:
        """How many rows of each kind in ``scope`` (for judging burden before approval): counts only."""

    @abstractmethod
    def extract(self, scope: Scope, kind: str) -> Iterator[dict]:
        """The rows of one kind in ``scope``, streamed (server-side cursor), each a dict of COLUMNS[kind]."""
