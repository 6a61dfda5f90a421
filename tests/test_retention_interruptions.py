"""A retention run interrupted at random at every step — before or after recording its progress, before reading
a batch, before changing the library system — and resumed each time, ends exactly as an uninterrupted run: the
same rows unlinked, and every count the same (each row examined once)."""

from __future__ import annotations

import random
import sqlite3

import pytest

from closedstacks.retention import koha, runs
from tests.test_retention_runs import build, loans

COUNTS = ("examined", "unlinked", "kept_opt_in", "kept_for_holds")


class Interrupted(BaseException):
    """As if the process died here."""


def counts(run) -> dict:
    return {kind: {c: state[c] for c in COUNTS} for kind, state in run.progress.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_interrupted_anywhere_and_resumed_it_ends_as_an_uninterrupted_run(seed, accounts, tmp_path, monkeypatch):
    reference = build(f"sqlite:///{tmp_path / 'reference'}.sqlite3", "reference")
    straight = runs.execute(runs.start(reference["connection"], by=accounts["officer"]), batch_size=100)
    with sqlite3.connect(reference["where"].database) as db:
        rows = {"past_loans": db.execute("SELECT COUNT(*) FROM old_issues").fetchone()[0],
                "past_holds": db.execute("SELECT COUNT(*) FROM old_reserves").fetchone()[0]}
    assert {kind: straight.progress[kind]["examined"] for kind in rows} == rows  # each row examined once

    library = build(f"sqlite:///{tmp_path / 'interrupted'}.sqlite3", "interrupted")
    run = runs.start(library["connection"], by=accounts["officer"])
    rng = random.Random(seed)
    real = {"save": runs._save, "apply": koha.apply, "plan": koha.plan}

    def perhaps():
        if rng.random() < 0.04:
            raise Interrupted

    def save(*args, **kwargs):
        perhaps()
        real["save"](*args, **kwargs)
        perhaps()

    def apply(*args, **kwargs):
        perhaps()
        changed = real["apply"](*args, **kwargs)
        perhaps()  # changed there, not yet committed
        return changed

    def plan(*args, **kwargs):
        perhaps()
        return real["plan"](*args, **kwargs)

    monkeypatch.setattr(runs, "_save", save)
    monkeypatch.setattr(koha, "apply", apply)
    monkeypatch.setattr(koha, "plan", plan)
    interruptions = 0
    for _ in range(500):
        try:
            run = runs.execute(run.pk, batch_size=100)
        except Interrupted:
            interruptions += 1
            continue
        if run.status == "done":
            break
    assert run.status == "done" and interruptions >= 5
    assert loans(library["where"]) == loans(reference["where"])
    assert counts(run) == counts(straight)
