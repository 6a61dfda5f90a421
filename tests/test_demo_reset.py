"""`closedstacks demo --reset` deletes only the demo's own files, and only where the demo was made (its marker
beside demo.sqlite3); anywhere else it refuses and deletes nothing. Remaking it is in test_server.py."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from closedstacks.cli.server import demo
from closedstacks.demo import reset

KEYS = ("secret_key", "encryption_key", "audit_signing_key")


def a_demo(data_dir, *, alone: bool = True):
    """A data directory as the demo leaves it (files standing for what it writes)."""
    data_dir.mkdir(parents=True)
    for name in (*KEYS, "demo.sqlite3", "demo.sqlite3-wal", "demo-koha.sqlite3", "audit-anchor.log"):
        (data_dir / name).write_text(name)
    (data_dir / "productions" / "7" / "1").mkdir(parents=True)
    (data_dir / "productions" / "7" / "1" / "manifest.csv").write_text("x")
    (data_dir / "static").mkdir()
    reset.mark(data_dir, alone=alone)
    return data_dir


def everything(data_dir) -> set[str]:
    return {str(path.relative_to(data_dir)) for path in data_dir.rglob("*")}


def test_reset_deletes_the_demos_files_and_keeps_the_keys(tmp_path):
    data_dir = a_demo(tmp_path / "var")
    removed = reset.reset(data_dir)
    assert {path.name for path in removed} == {"demo.sqlite3", "demo.sqlite3-wal", "demo-koha.sqlite3",
                                               "audit-anchor.log", "productions", "demo.marker"}
    assert everything(data_dir) == {*KEYS, "static"}


@pytest.mark.parametrize("how", ["no marker", "not a marker", "shared when made", "a real database beside it"])
def test_reset_refuses_a_directory_that_is_not_the_demos_alone_and_deletes_nothing(tmp_path, how):
    data_dir = a_demo(tmp_path / "var", alone=how != "shared when made")
    if how == "no marker":
        (data_dir / "demo.marker").unlink()
    elif how == "not a marker":
        (data_dir / "demo.marker").write_text('{"made_by": "someone else"}')
    elif how == "a real database beside it":
        (data_dir / "closedstacks.sqlite3").write_text("real")
    before = everything(data_dir)
    with pytest.raises(reset.NotADemo, match="nothing was deleted"):
        reset.reset(data_dir)
    assert everything(data_dir) == before


def test_a_demo_made_where_a_library_keeps_its_files_is_marked_shared(tmp_path):
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    assert not reset.shared(data_dir)
    (data_dir / "productions").mkdir()
    assert reset.shared(data_dir)


def test_the_command_refuses_to_reset_an_unmarked_database_and_exits_non_zero(tmp_path):
    """It refuses before anything is loaded or opened (in this process, then: nothing of Django's is touched)."""
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    (data_dir / "demo.sqlite3").write_text("not known to be the demo")
    done = CliRunner().invoke(demo, ["--reset", "--no-serve"], env={"CLOSEDSTACKS_DATA_DIR": str(data_dir)})
    assert done.exit_code == 1
    assert "cannot reset the demo" in done.output and "demo.marker" in done.output
    assert (data_dir / "demo.sqlite3").read_text() == "not known to be the demo"
