"""Connectors read which release of the library system they talk to, from the system's own record of it, refuse
one older than supported with a clear message, and Test connection says which settings to fix."""

from __future__ import annotations

import sqlite3

import pytest

from closedstacks.ils import generators
from closedstacks.ils.connectors.base import ConnectorError, Scope
from closedstacks.ils.connectors.db import ConnectionSettings
from closedstacks.ils.connectors.koha.connector import KohaConnector
from closedstacks.ils.connectors.versions import evergreen_release, koha_release


def test_releases_are_read_as_each_system_writes_them():
    assert str(koha_release("23.1100012")) == "23.11.00" and koha_release("23.1100012").key == (23, 11)
    assert koha_release("22.1106000").key == (22, 11) and koha_release("not a version") is None
    assert str(evergreen_release(["1401", "3.11.1", "1416", "3.12.0", None])) == "3.12.0"
    fresh = evergreen_release(["1416"])  # a fresh install: only its newest patch, which some release holds
    assert fresh is not None and fresh.key == (3, 13)
    assert evergreen_release(["7"]) is None


def test_the_release_table_agrees_with_the_evergreen_schema_s():
    from closedstacks.ils.connectors.evergreen.schema import VERSIONS
    from closedstacks.ils.connectors.versions import EVERGREEN_FIRST_PATCH

    assert {tuple(int(p) for p in release.split(".")): int(v["first"]) for release, v in VERSIONS.items()} == \
        EVERGREEN_FIRST_PATCH


@pytest.fixture
def koha(tmp_path):
    where = ConnectionSettings.from_url(f"sqlite:///{tmp_path / 'koha.sqlite3'}")
    generators.get("koha")(where, users=30, loans=200, seed=3)
    return where


def _set(where, variable: str, value: str) -> None:
    with sqlite3.connect(where.database) as db:
        db.execute("DELETE FROM systempreferences WHERE variable = ?", (variable,))
        db.execute("INSERT INTO systempreferences (variable, value) VALUES (?, ?)", (variable, value))


def test_a_supported_koha_works_and_test_connection_names_its_release(koha):
    _set(koha, "Version", "24.1100005")
    report = KohaConnector(koha).test()
    assert report.ok and report.version == "24.11.00"
    assert KohaConnector(koha).count(Scope(users=("1",), kinds=("past_loans",)))["past_loans"] >= 0


def test_an_older_koha_is_refused_with_a_message_that_says_why(koha):
    _set(koha, "Version", "21.0500000")
    report = KohaConnector(koha).test()
    assert not report.ok and any("older than the first release" in p and "22.11" in p for p in report.problems)
    with pytest.raises(ConnectorError, match="Koha 21.05.00 is older"):
        KohaConnector(koha).count(Scope(users=("1",), kinds=("past_loans",)))
    with pytest.raises(ConnectorError, match="older"):
        KohaConnector(koha).resolve("card", "1")


def test_test_connection_says_what_to_fix_in_koha_s_preferences(koha):
    _set(koha, "AnonymousPatron", "0")  # as Koha ships it
    report = KohaConnector(koha).test()
    assert report.ok  # productions still work …
    assert any("AnonymousPatron" in w and "ships it as 0" in w for w in report.warnings)  # … retention cannot
    _set(koha, "AnonymousPatron", "999999")
    assert any("does not exist" in w for w in KohaConnector(koha).test().warnings)


def test_retention_and_the_privacy_audit_refuse_an_older_koha_and_change_nothing(koha, accounts):
    from closedstacks.ils.models import Connection
    from closedstacks.retention import privacy_audit, runs
    from closedstacks.retention.services import PolicyError

    _set(koha, "Version", "21.1100000")
    connection = Connection.objects.create(name="old", connector="koha", driver="sqlite", database=koha.database)
    with sqlite3.connect(koha.database) as db:
        before = db.execute("SELECT issue_id, borrowernumber FROM old_issues ORDER BY issue_id").fetchall()
    run = runs.execute(runs.start(connection, by=accounts["officer"]))
    assert run.status == "failed" and "older than the first release" in run.problem
    with pytest.raises(PolicyError, match="older"):
        privacy_audit.run(connection, by=accounts["officer"])
    with sqlite3.connect(koha.database) as db:
        assert db.execute("SELECT issue_id, borrowernumber FROM old_issues ORDER BY issue_id").fetchall() == before
