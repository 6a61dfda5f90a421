"""Which release of the library system a database is, read from the system's own record of it, and whether Closed
Stacks supports it.

- Koha keeps its version in the ``Version`` system preference, written by its installer and updater as
  ``MAJOR.MINOR`` followed by five digits of patch and database revision (``23.1100012`` is 23.11.00, database
  revision 012).
- Evergreen records every database upgrade in ``config.upgrade_log``: a row per schema change (``version`` a
  number such as ``1416``, ``applied_to`` the release it belongs to) and, from its version-upgrade scripts, rows
  whose ``version`` is the release itself (``3.12.1``). The highest release named is the database's; a fresh
  install holds only its newest patch number, read as the release whose patches include it.

A release older than the first supported one is refused with a message that says so; one newer than the last
release the schemas were checked against works, with a warning in *Test connection*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from closedstacks.ils.connectors.db import Database
from closedstacks.ils.connectors.errors import ConnectorError

# (first supported, last checked against) per system, as (major, minor).
SUPPORTED = {"koha": ((22, 11), (25, 11)), "evergreen": ((3, 7), (3, 15))}
LABELS = {"koha": "Koha", "evergreen": "Evergreen"}
# The first schema patch of each Evergreen release's upgrade series (Open-ILS/src/sql/Pg/upgrade), oldest first.
EVERGREEN_FIRST_PATCH = {(3, 7): 1247, (3, 8): 1260, (3, 9): 1307, (3, 10): 1326, (3, 11): 1354, (3, 12): 1375,
                         (3, 13): 1405, (3, 14): 1419, (3, 15): 1450}
RELEASE = re.compile(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Release:
    system: str
    major: int
    minor: int
    patch: int | None = None
    raw: str = ""

    def __str__(self) -> str:
        return f"{self.major}.{self.minor:02d}" + ("" if self.patch is None else f".{self.patch:02d}") \
            if self.system == "koha" else f"{self.major}.{self.minor}" + (
                "" if self.patch is None else f".{self.patch}")

    @property
    def key(self) -> tuple[int, int]:
        return (self.major, self.minor)


def _label(system: str, key: tuple[int, int]) -> str:
    return f"{key[0]}.{key[1]:02d}" if system == "koha" else f"{key[0]}.{key[1]}"


def koha_release(text: str | None) -> Release | None:
    """``23.1100012`` → 23.11.00; None when it is not in Koha's form."""
    match = re.match(r"^\s*(\d+)\.(\d{2})(\d{2})?", str(text or ""))
    if not match:
        return None
    patch = match.group(3)
    return Release("koha", int(match.group(1)), int(match.group(2)), int(patch) if patch else None, str(text))


def evergreen_release(texts) -> Release | None:
    """The highest release among ``config.upgrade_log``'s ``version`` and ``applied_to`` values."""
    found = []
    for text in texts:
        match = RELEASE.match(str(text or ""))
        if match and int(match.group(1)) < 100:  # a schema change number (1416) is not a release
            found.append(Release("evergreen", int(match.group(1)), int(match.group(2)),
                                 int(match.group(3)) if match.group(3) else None, str(text)))
    newest = max(found, key=lambda r: (r.major, r.minor, r.patch or 0), default=None)
    patches = [int(str(t).strip()) for t in texts if str(t or "").strip().isdigit()]
    if newest is None and patches:  # a fresh install records only its newest patch: the release that holds it
        top = max(patches)
        named = [release for release, first in EVERGREEN_FIRST_PATCH.items() if first <= top]
        if named:
            major, minor = named[-1]
            newest = Release("evergreen", major, minor, None, str(top))
    return newest


def read(system: str, db: Database) -> Release | None:
    """The release of the library system behind ``db``, or None when it does not say."""
    if system == "koha":
        if db.columns("systempreferences") is None:
            return None
        row = db.one("SELECT value FROM systempreferences WHERE variable = %s", ("Version",))
        return koha_release(row[0] if row else None)
    table = db.table("config.upgrade_log")
    columns = {c.lower() for c in (db.columns(table) or ())}
    if not columns:
        return None
    picked = ["version"] + (["applied_to"] if "applied_to" in columns else [])
    values = [value for row in db.rows(f"SELECT {', '.join(picked)} FROM {table}") for value in row]
    return evergreen_release(values)


def problem(release: Release | None, system: str) -> str | None:
    """Why this release cannot be used (None: it can)."""
    first, _last = SUPPORTED[system]
    if release is not None and release.key < first:
        return (f"{LABELS[system]} {release} is older than the first release Closed Stacks supports "
                f"({LABELS[system]} {_label(system, first)}): upgrade {LABELS[system]} first.")
    return None


def warnings(release: Release | None, system: str) -> list[str]:
    """What *Test connection* should say about a release that works."""
    _first, last = SUPPORTED[system]
    if release is None:
        where = "the Version system preference" if system == "koha" else "config.upgrade_log"
        return [f"{LABELS[system]}'s release could not be read ({where} is missing or empty): is this a "
                f"{LABELS[system]} database?"]
    if release.key > last:
        return [f"{LABELS[system]} {release} is newer than the last release Closed Stacks was checked against "
                f"({_label(system, last)}): run the privacy audit after upgrading, and report anything it misses."]
    return []


def require_supported(system: str, db: Database) -> Release | None:
    """The release, or ConnectorError when Closed Stacks does not support it."""
    release = read(system, db)
    refused = problem(release, system)
    if refused:
        raise ConnectorError(refused)
    return release
