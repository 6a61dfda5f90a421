"""A production's files: exactly the scoped records, numbered, hashed and listed — against a real Koha (SQLite)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import sqlite3

import pytest
from pypdf import PdfReader

from closedstacks.ils import generators
from closedstacks.ils.connectors import get
from closedstacks.ils.connectors.base import COLUMNS, Scope
from closedstacks.ils.connectors.db import ConnectionSettings
from closedstacks.records.package import build
from tests.conftest import pdf_text


@pytest.fixture(scope="module")
def koha(tmp_path_factory):
    path = tmp_path_factory.mktemp("koha") / "koha.sqlite3"
    settings = ConnectionSettings(driver="sqlite", database=str(path))
    generators.get("koha")(settings, users=150, loans=6000, seed=7)
    with sqlite3.connect(path) as db:
        users = [str(r[0]) for r in db.execute(
            "SELECT borrowernumber FROM old_issues WHERE borrowernumber IS NOT NULL GROUP BY borrowernumber "
            "ORDER BY COUNT(*) DESC LIMIT 2")]
    return {"path": path, "connector": get("koha")(settings), "users": tuple(users)}


def read_csv(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_files_hold_exactly_the_scoped_records_numbered_and_hashed(koha, tmp_path):
    scope = Scope(users=koha["users"], kinds=("holds", "past_loans"), date_from=dt.date(2022, 1, 1),
                  date_to=dt.date(2024, 12, 31))
    made = build(koha["connector"], scope, prefix="CS-2026-0007", out_dir=tmp_path / "out", title="Matter 2026-0007")
    # Row by row, the same as the connector extracts, in the same order, with nothing else.
    numbers = []
    for kind in ("past_loans", "holds"):  # the fixed order of kinds, whatever the scope's order
        rows = read_csv(tmp_path / "out" / f"CS-2026-0007-{kind}.csv")
        expected = list(koha["connector"].extract(scope, kind))
        assert len(rows) == len(expected) == made.records[kind]
        for got, want in zip(rows, expected, strict=True):
            assert list(got)[1:] == COLUMNS[kind]
            assert {k: v for k, v in got.items() if k != "bates"} == {
                k: "" if want[k] is None else str(want[k]) for k in COLUMNS[kind]}
            assert got["user"] in koha["users"]
        numbers += [r["bates"] for r in rows]
    assert made.records["past_loans"] > 0
    assert numbers == [f"CS-2026-0007-{n:06d}" for n in range(1, len(numbers) + 1)]
    # The independent count: the test's own SQL over the same users and dates.
    with sqlite3.connect(koha["path"]) as db:
        own = db.execute("SELECT COUNT(*) FROM old_issues WHERE borrowernumber IN (?, ?) AND issuedate >= ? "
                         "AND issuedate < ?", (*koha["users"], "2022-01-01", "2025-01-01")).fetchone()[0]
    assert made.records["past_loans"] == own
    # The manifest lists every file with its real hash and size.
    manifest = read_csv(tmp_path / "out" / "CS-2026-0007-manifest.csv")
    listed = {row["file"]: row for row in manifest}
    on_disk = {p.name for p in (tmp_path / "out").iterdir()} - {"CS-2026-0007-manifest.csv"}
    assert set(listed) == on_disk
    for name, row in listed.items():
        data = (tmp_path / "out" / name).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest() and int(row["bytes"]) == len(data)
    pdf = PdfReader(io.BytesIO((tmp_path / "out" / "CS-2026-0007-past_loans-001.pdf").read_bytes()))
    assert "CS-2026-0007-000001" in pdf.pages[0].extract_text()


def test_kinds_not_in_scope_and_other_users_never_appear(koha, tmp_path):
    scope = Scope(users=koha["users"][:1], kinds=("past_loans",))
    build(koha["connector"], scope, prefix="P", out_dir=tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert all(name.startswith(("P-past_loans", "P-manifest")) for name in names)
    rows = read_csv(tmp_path / "out" / "P-past_loans.csv")
    assert rows and {r["user"] for r in rows} == {koha["users"][0]}


def test_a_production_is_never_written_over_another(koha, tmp_path):
    out = tmp_path / "out"
    build(koha["connector"], Scope(users=koha["users"], kinds=("holds",)), prefix="A", out_dir=out)
    with pytest.raises(ValueError, match="not empty"):
        build(koha["connector"], Scope(users=koha["users"], kinds=("holds",)), prefix="B", out_dir=out)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_pdf_comes_in_parts_whose_bates_ranges_follow_on(koha, tmp_path, monkeypatch, workers):
    """Rendered here (one worker) or in other processes (two), the parts are the same."""
    from closedstacks.records import package as packaging

    monkeypatch.setattr(packaging, "PDF_PART", 40)
    monkeypatch.setenv("CLOSEDSTACKS_PDF_WORKERS", workers)
    made = build(koha["connector"], Scope(users=koha["users"], kinds=("past_loans",)), prefix="Q",
                 out_dir=tmp_path / "out")
    parts = [f for f in made.files if f.name.endswith(".pdf")]
    total = made.records["past_loans"]
    assert len(parts) == -(-total // 40) and sum(p.records for p in parts) == total
    assert [p.bates_from for p in parts] == [f"Q-{1 + 40 * i:06d}" for i in range(len(parts))]
    assert parts[-1].bates_to == f"Q-{total:06d}"
    for part in parts:
        data = (tmp_path / "out" / part.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == part.sha256 and len(data) == part.size
        assert part.bates_from in pdf_text(data) and part.bates_to in pdf_text(data)
