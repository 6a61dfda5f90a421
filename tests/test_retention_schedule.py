"""Retention beyond a single run: schedules (the officer's, audited; ``closedstacks retention scheduled`` starts
what is due), the census of linked records by age charted after each run, and a running run's progress."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from closedstacks.audit.models import AuditEntry
from closedstacks.retention import census, runs, services
from closedstacks.retention.models import LinkedCensus, RetentionRun
from tests.conftest import cli_env, closedstacks, python_in, text
from tests.test_retention_runs import build, loans


def test_the_officer_schedules_runs_and_each_change_is_audited(accounts, tmp_path, client_for):
    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    connection = library["connection"]
    assert services.due_for_a_run() == []  # no schedule: never due
    officer = client_for("officer")
    url = f"/retention/connections/{connection.pk}/schedule/"
    prefix = f"s{connection.pk}-"
    assert officer.post(url, {prefix + "version": 1, prefix + "every_days": 7}).status_code == 302
    assert client_for("director").post(url, {prefix + "version": 2, prefix + "every_days": 1}).status_code == 403
    bad = officer.post(url, {prefix + "version": 2, prefix + "every_days": 400})
    assert bad.status_code == 400 and "366" in text(bad)
    stale = officer.post(url, {prefix + "version": 1, prefix + "every_days": 3})
    assert stale.status_code == 400 and "Someone else changed" in text(stale)
    assert services.schedule_for(connection).every_days == 7
    entry = AuditEntry.objects.get(action="retention.schedule_changed")
    assert {k: v for k, v in json.loads(entry.details).items() if k != "connection"} == {"before": 0, "after": 7}
    assert "every 7 days" in text(client_for("auditor").get("/retention/"))

    assert services.due_for_a_run() == [connection]  # never run: due now
    done = runs.execute(runs.start(connection, by=accounts["officer"]))
    assert services.due_for_a_run() == []  # just ran
    assert services.due_for_a_run(now=timezone.now() + dt.timedelta(days=7, minutes=1)) == [connection]
    RetentionRun.objects.filter(pk=done.pk).update(status=RetentionRun.Status.STOPPED)
    assert services.due_for_a_run() == [connection]  # unfinished: resumed at once


def test_closedstacks_retention_scheduled_runs_only_what_is_due(accounts, scratch_url, tmp_path):
    library = build(f"sqlite:///{tmp_path / 'koha'}.sqlite3")
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    assert closedstacks("connector", "add", "koha", "--kind", "koha", "--driver", "sqlite", "--database",
                        library["where"].database, env=env).returncode == 0
    before = loans(library["where"])
    idle = closedstacks("retention", "scheduled", env=env)
    assert idle.returncode == 0 and "No retention run is due" in idle.stdout and loans(library["where"]) == before
    set_schedule = ("from closedstacks.ils.models import Connection; from closedstacks.retention.models import "
                    "RetentionSchedule; RetentionSchedule.objects.create(connection=Connection.objects.get(), "
                    "every_days=1)")
    python_in(set_schedule, env=env)
    ran = closedstacks("retention", "scheduled", env=env)
    assert ran.returncode == 0 and "Finished" in ran.stdout, ran.stderr
    assert loans(library["where"]) != before
    again = closedstacks("retention", "scheduled", env=env)
    assert again.returncode == 0 and "No retention run is due" in again.stdout


def test_each_run_adds_a_census_of_linked_records_by_age_charted_on_the_page(accounts, tmp_path, client_for):
    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    connection = library["connection"]
    first = census.take(connection)  # before any run
    linked_before = sum(first.by_bucket().values())
    with_buckets = first.by_bucket()
    assert linked_before > 0 and set(with_buckets) == {name for name, _d, _t in census.BUCKETS}
    done = runs.execute(runs.start(connection, by=accounts["officer"]))
    second = census.after_run(done)
    after = second.by_bucket()
    # Loans older than 30 days that no hold or choice keeps are gone; the last 30 days' are untouched.
    assert second.counts["past_loans"]["30"] == first.counts["past_loans"]["30"]
    assert second.counts["past_loans"]["older"] < first.counts["past_loans"]["older"]
    assert sum(after.values()) < linked_before and after["older"] < with_buckets["older"]
    assert census.after_run(runs.execute(runs.start(connection, by=accounts["officer"], dry_run=True))) is None
    assert LinkedCensus.objects.count() == 2
    page = client_for("auditor").get("/retention/").content.decode()
    assert "<svg" in page and "Records still linked to a user" in page
    assert f"{after['older']:,}" in page and f"{with_buckets['older']:,}" in page


@pytest.mark.parametrize("status", ["queued", "running"])
def test_the_runs_table_follows_a_run_under_way(status, accounts, tmp_path, client_for):
    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    run = runs.start(library["connection"], by=accounts["officer"])
    steps = list(run.progress)
    half = {step: {**state, "cursor": 50, "last": 100} for step, state in run.progress.items()}
    half[steps[0]]["done"] = True
    RetentionRun.objects.filter(pk=run.pk).update(status=status, progress=half)
    run.refresh_from_db()
    want = int(100 * (1 + 0.5 * (len(steps) - 1)) / len(steps))
    assert run.percent() == want
    partial = client_for("auditor").get("/retention/runs/")
    body = partial.content.decode()
    assert partial.status_code == 200 and 'hx-trigger="every 2s"' in body and f'value="{want}"' in body
    assert client_for("staff").get("/retention/runs/").status_code == 403
    runs.execute(run)
    body = client_for("auditor").get("/retention/runs/").content.decode()
    assert "every 2s" not in body and "<progress" not in body  # finished: the table stops polling
