"""The production PDF a court gets: every column of the CSV, human headers, local times with their zone,
CONFIDENTIAL and the Bates numbers on every page — against a real Koha (SQLite)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import sqlite3

import pytest
from django.test import override_settings
from pypdf import PdfReader

from closedstacks.ils import generators
from closedstacks.ils.connectors import get
from closedstacks.ils.connectors.base import COLUMNS, Scope
from closedstacks.ils.connectors.db import ConnectionSettings
from closedstacks.records.package import build, column_label, shown


@pytest.fixture(scope="module")
def koha(tmp_path_factory):
    path = tmp_path_factory.mktemp("koha") / "koha.sqlite3"
    settings = ConnectionSettings(driver="sqlite", database=str(path))
    generators.get("koha")(settings, users=40, loans=800, seed=11)
    with sqlite3.connect(path) as db:
        users = [str(r[0]) for r in db.execute(
            "SELECT borrowernumber FROM old_issues WHERE borrowernumber IS NOT NULL GROUP BY borrowernumber "
            "ORDER BY COUNT(*) DESC LIMIT 2")]
    return {"connector": get("koha")(settings), "users": tuple(users)}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@override_settings(TIME_ZONE="America/New_York")
def test_every_value_of_every_csv_row_is_in_the_pdf_with_human_headers(koha, tmp_path):
    kinds = tuple(str(k.value) for k in COLUMNS if k != "reading_history")  # Koha keeps no reading history
    made = build(koha["connector"], Scope(users=koha["users"], kinds=kinds), prefix="CS-2026-0009",
                 out_dir=tmp_path / "out", title="Matter 2026-0009")
    checked_kinds, saw_time = 0, False
    for kind in kinds:
        rows = list(csv.reader((tmp_path / "out" / f"CS-2026-0009-{kind}.csv").open(encoding="utf-8", newline="")))
        header, body = rows[0], rows[1:]
        pdfs = sorted(f.name for f in made.files if f.kind == kind and f.name.endswith(".pdf"))
        if not body:
            continue
        checked_kinds += 1
        pages = [page.extract_text() for name in pdfs for page in PdfReader(tmp_path / "out" / name).pages]
        text = squash("".join(pages))
        for name in header:  # human headers, never the raw column name
            assert squash(column_label(name)) in text, (kind, name)
        assert "item_barcode" not in text and "call_number" not in text
        for row in body:
            for value in row:
                want = shown(value)
                assert squash(want) in text, (kind, value, want)
                if want != value and re.search(r"\d{2}:\d{2} E[SD]T$", want):
                    saw_time = True
        for page in pages:  # each page: CONFIDENTIAL and the Bates numbers on it, in its footer
            assert "CONFIDENTIAL" in page
            numbers = re.findall(r"CS-2026-0009-\d{6}", page)
            assert numbers and len(set(numbers)) >= 1
    assert checked_kinds >= 3
    assert saw_time


@override_settings(TIME_ZONE="America/New_York")
def test_times_are_local_with_their_zone_and_dates_stay_dates():
    assert shown("2026-03-04 19:05:00") == "2026-03-04 19:05:00 EST"
    assert shown("2026-03-04T19:05:00+00:00") == "2026-03-04 14:05:00 EST"
    assert shown("2026-07-04 10:00") == "2026-07-04 10:00:00 EDT"
    assert shown("2026-03-04") == "2026-03-04"
    assert shown(dt.date(2026, 3, 4)) == "2026-03-04"
    assert shown(None) == "" and shown("QA76 .K56 2019") == "QA76 .K56 2019"
    assert column_label("item_barcode") == "Item barcode"
    assert column_label("some_new_column") == "Some new column"
