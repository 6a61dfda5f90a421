"""Every table and column the connectors, retention and the privacy audit rely on, per supported release, is in
the schema built from that release's own definitions (which the *_schema_upstream tests hold to upstream): a
column the code reads that a release does not have fails here, before a library meets it."""

from __future__ import annotations

import re

import pytest

from closedstacks.ils.connectors.db import ConnectionSettings, connect
from closedstacks.ils.connectors.evergreen import connector as evergreen_connector
from closedstacks.ils.connectors.evergreen import schema as evergreen_schema
from closedstacks.ils.connectors.koha import connector as koha_connector
from closedstacks.ils.connectors.koha import schema as koha_schema
from closedstacks.retention import evergreen as evergreen_retention
from closedstacks.retention import koha as koha_retention
from closedstacks.retention.privacy_map import MAPS

COLUMN = re.compile(r"\b([a-z_]+)\.([a-z_]+)\b")


def _koha_needs() -> dict[str, set[str]]:
    needs = {table: set(columns) for table, columns in koha_connector.READS.items()}
    for spec in koha_retention.SPECS.values():
        needs.setdefault(spec.table, set()).update({spec.key, spec.user, spec.closed, spec.dated, *spec.needs})
    needs.setdefault("categories", set()).update({"categorycode", "category_type"})
    needs.setdefault("borrowers", set()).update({"privacy", "categorycode", "middle_name", "dateofbirth"})
    needs.setdefault("old_issues", set()).update({"returndate", "borrowernumber"})
    for row in MAPS["koha"]:
        if row.step:
            needs.setdefault(row.table, set()).update({row.link, row.dated})
    return needs


@pytest.mark.parametrize("version", sorted(koha_schema.VERSIONS))
def test_koha_has_what_closed_stacks_reads_and_changes(version, tmp_path):
    where = ConnectionSettings(driver="sqlite", database=str(tmp_path / "koha.sqlite3"))
    koha_schema.create(where, indexes=False, version=version)
    with connect(where) as db:
        for table, columns in _koha_needs().items():
            found = db.columns(table)
            assert found is not None, (version, table)
            assert columns <= {c for c in found}, (version, table, columns - set(found))


def _evergreen_needs() -> dict[str, set[str]]:
    needs = {table: set(columns) for table, columns in evergreen_connector.NEEDS.items()}
    for spec in evergreen_retention.SPECS.values():
        table = evergreen_retention.TABLES[spec.table]
        for _alias, column in COLUMN.findall(f"{spec.closed} {spec.dated}"):
            needs.setdefault(table, set()).add(column)
        needs.setdefault(table, set()).update({"id", "usr"})
    needs.setdefault("actor.usr_setting", set()).update({"usr", "name", "value"})
    needs.setdefault("action.circulation", set()).update({"parent_circ", "xact_start", "xact_finish", "target_copy"})
    needs.setdefault("action_trigger.event", set()).update({"target", "event_def", "context_user"})
    needs.setdefault("config.upgrade_log", set()).update({"version", "applied_to"})
    return needs


@pytest.mark.parametrize("version", list(evergreen_schema.VERSIONS))
def test_evergreen_has_what_closed_stacks_reads_and_changes(version, tmp_path):
    where = ConnectionSettings(driver="sqlite", database=str(tmp_path / "evergreen.sqlite3"))
    (tmp_path / "evergreen.sqlite3").touch()
    with connect(where, autocommit=False) as db:
        evergreen_schema.create(db, indexes=False, version=version)
        db.connection.commit()
        for table, columns in _evergreen_needs().items():
            found = db.columns(db.table(table))
            if table == "action_trigger.event" and version in ("3.7",):
                columns = columns - {"context_user"}  # the notices' user arrived in 3.8
            assert found is not None, (version, table)
            assert columns <= set(found), (version, table, columns - set(found))
