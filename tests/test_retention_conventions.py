"""Retention changes only what is meant, on the real servers: an unlink changes the link and nothing else (Koha's
self-updating timestamps keep their values), a staff member's renewal at the desk is never re-pointed, and the
dry run counts, step by step, exactly what the real run then does."""

from __future__ import annotations

import pytest

from closedstacks.ils.connectors.db import connect
from closedstacks.retention import privacy_audit, runs
from tests.ils import ils_url  # noqa: F401 (a fixture)
from tests.test_retention_runs import build

# The tables an unlink changes by UPDATE, with their key: every other column must keep its value.
UPDATED = {"old_issues": "issue_id", "old_reserves": "reserve_id", "accountlines": "accountlines_id",
           "checkout_renewals": "renewal_id"}
LINK = {"old_issues": "borrowernumber", "old_reserves": "borrowernumber", "accountlines": "borrowernumber",
        "checkout_renewals": "renewer_id"}


def _rows(where, table: str) -> dict:
    with connect(where) as db:
        columns = sorted(db.columns(table))
        return {row[columns.index(UPDATED[table])]: dict(zip(columns, row)) for row in db.rows(
            f"SELECT {', '.join('`' + c + '`' for c in columns)} FROM {table}")}


def _staff_desk_renewals(where) -> dict[int, int]:
    """Renewals made by staff of someone else's loan: renewal → renewer."""
    with connect(where) as db:
        return {int(r): int(w) for r, w in db.rows(
            "SELECT r.renewal_id, r.renewer_id FROM checkout_renewals r JOIN old_issues o ON o.issue_id = "
            "r.checkout_id JOIN borrowers s ON s.borrowernumber = r.renewer_id JOIN categories c ON c.categorycode "
            "= s.categorycode WHERE c.category_type = 'S' AND r.renewer_id <> o.borrowernumber")}


def test_an_unlink_changes_only_the_link_and_never_a_staff_renewal(accounts, ils_url):  # noqa: F811
    library = build(ils_url("mysql"))
    where = library["where"]
    with connect(where) as db:
        on_update = {t for (t,) in db.rows(
            "SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
            "LOWER(EXTRA) LIKE %s", ("%on update%",))}
    assert {"accountlines", "old_reserves", "old_issues"} <= on_update  # as Koha defines them
    staff = _staff_desk_renewals(where)
    assert staff, "the library has renewals made by staff at the desk"
    before = {table: _rows(where, table) for table in UPDATED}
    run = runs.execute(runs.start(library["connection"], by=accounts["officer"]))
    assert run.status == "done", run.problem
    changed_any = False
    for table, rows in before.items():
        after = _rows(where, table)
        assert set(after) == set(rows), table  # nothing deleted from these tables
        for key, row in rows.items():
            now = after[key]
            if now[LINK[table]] != row[LINK[table]]:
                changed_any = True
            assert {c: v for c, v in now.items() if c != LINK[table]} == \
                   {c: v for c, v in row.items() if c != LINK[table]}, (table, key)
    assert changed_any
    assert _staff_desk_renewals(where) == staff  # no staff renewal re-pointed
    found = {f["code"]: f["count"] for f in privacy_audit.run(library["connection"], by=accounts["officer"]).findings}
    assert found["renewals_on_anonymized_loans"] == 0


def _steps(run) -> dict:
    return {step: (state["examined"], state["unlinked"], state["kept_for_holds"])
            for step, state in run.progress.items()}


@pytest.mark.parametrize("system", ["koha", "evergreen"])
def test_the_dry_run_counts_step_by_step_what_the_real_run_does(system, accounts, ils_url):  # noqa: F811
    if system == "koha":
        library = build(ils_url("mysql"))
    else:
        from tests.ils import evergreen_database
        from tests.test_retention_evergreen import build as build_evergreen

        library = build_evergreen(evergreen_database(ils_url, "postgresql"))
    notices = ("SELECT COUNT(*) FROM action_trigger.event e JOIN action_trigger.event_definition d ON d.id = "
               "e.event_def JOIN action_trigger.hook h ON h.key = d.hook WHERE h.core_type = 'circ' AND "
               "e.context_user IS NOT NULL AND e.target NOT IN (SELECT id FROM action.circulation)")
    dry = runs.execute(runs.start(library["connection"], by=accounts["officer"], dry_run=True))
    real = runs.execute(runs.start(library["connection"], by=accounts["officer"]))
    assert dry.status == real.status == "done", (dry.problem, real.problem)
    assert sum(unlinked for _e, unlinked, _k in _steps(real).values()) > 0
    assert _steps(dry) == _steps(real)
    if system == "evergreen":  # the notices about aged circulations no longer name the user, as Evergreen's own
        with connect(library["where"]) as db:  # aging leaves them
            assert db.one(notices)[0] == 0
            assert db.one(notices.replace("IS NOT NULL", "IS NULL"))[0] > 0  # there were some


def test_koha_s_privacy_never_keeps_nothing_whatever_its_age(accounts, tmp_path):
    """privacy 2 ("never"): Koha anonymizes at check-in; a loan or hold of such a user returned yesterday is
    unlinked by the next run, while a default user's stays until the retention period has passed."""
    import datetime as dt
    import sqlite3

    from django.utils import timezone

    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    with sqlite3.connect(library["where"].database) as db:
        never, default = (db.execute("SELECT borrowernumber FROM borrowers WHERE privacy = ? AND borrowernumber NOT IN "
                                     "(SELECT value FROM systempreferences WHERE variable = 'AnonymousPatron') LIMIT 1",
                                     (p,)).fetchone()[0] for p in (2, 1))
        item = db.execute("SELECT MIN(itemnumber) FROM items").fetchone()[0]
        db.execute("INSERT INTO old_issues (issue_id, borrowernumber, itemnumber, issuedate, returndate, "
                   "renewals_count, unseen_renewals, onsite_checkout) VALUES (9000001, ?, ?, ?, ?, 0, 0, 0), "
                   "(9000002, ?, ?, ?, ?, 0, 0, 0)", (never, item, yesterday, yesterday, default, item, yesterday,
                                                      yesterday))
    run = runs.execute(runs.start(library["connection"], by=accounts["officer"]))
    assert run.status == "done", run.problem
    with sqlite3.connect(library["where"].database) as db:
        after = dict(db.execute("SELECT issue_id, borrowernumber FROM old_issues WHERE issue_id > 9000000"))
    assert after[9000001] != never and after[9000002] == default
    found = {f["code"]: f["count"] for f in privacy_audit.run(library["connection"], by=accounts["officer"]).checks}
    assert found["past_loans_never_keep"] == 0
