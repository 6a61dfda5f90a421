"""docs/privacy-map.md is the map the code follows: every table, what Closed Stacks does and why it leaves it."""

from __future__ import annotations

from pathlib import Path

from closedstacks.retention import evergreen, koha
from closedstacks.retention.privacy_map import MAPS

DOC = (Path(__file__).resolve().parent.parent / "docs" / "privacy-map.md").read_text()


def test_every_row_of_the_map_is_documented_with_what_is_done_and_why():
    for system, rows in MAPS.items():
        for row in rows:
            line = next((line for line in DOC.splitlines() if line.startswith(f"| `{row.table}` |")), None)
            assert line is not None, (system, row.table)
            assert row.ours in line and row.reason in line and row.system in line, (system, row.table)


def test_every_step_of_retention_is_on_the_map():
    for system, engine in (("koha", koha), ("evergreen", evergreen)):
        steps = {row.step for row in MAPS[system] if row.step}
        assert steps == set(engine.STEPS), system
