"""Real library-system databases for connector tests: MariaDB, PostgreSQL and SQLite scratch databases.

A test asks for ``ils_url("mysql")`` and gets a fresh empty database it may
build an ILS schema in; it is dropped afterwards. When the server is not
running the test fails under CI (which must test on it) and is skipped, with
the reason, elsewhere.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

import pytest

from closedstacks.bench.databases import (
    MARIADB_URL,
    POSTGRES_URL,
    mariadb_reachable,
    postgres_reachable,
    scratch_ils_database,
)

REACHABLE = {"mysql": lambda: mariadb_reachable(MARIADB_URL), "postgresql": lambda: postgres_reachable(POSTGRES_URL),
             "sqlite": lambda: None}


def require_server(driver: str) -> None:
    reason = REACHABLE[driver]()
    if reason:
        message = f"{driver} is not reachable at 127.0.0.1 ({reason}); start it to run the connector tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def ils_url():
    """``ils_url(driver)`` → URL of a new empty database on that driver's server, dropped after the test."""
    with ExitStack() as stack:
        def make(driver: str, **options) -> str:
            """``locale="C"``: a PostgreSQL database created as Evergreen's installer creates its own."""
            require_server(driver)
            return stack.enter_context(scratch_ils_database(driver, **options))

        yield make


def evergreen_database(make, driver: str) -> str:
    """A database for an Evergreen-shaped library: on PostgreSQL in the C locale, as Evergreen's installer creates
    its own (``lower()`` then folds only A-Z), so the connector is tried as a real Evergreen meets it."""
    return make(driver, locale="C") if driver == "postgresql" else make(driver)
