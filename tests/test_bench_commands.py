"""The benchmarks run, at a tiny scale, and report the figures they promise (no timing is asserted)."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import closedstacks, current_engine, postgres_server_url

pytestmark = pytest.mark.slow  # the benchmarks, through the command line


def env_for(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSEDSTACKS_")}
    env["CLOSEDSTACKS_DATA_DIR"] = str(tmp_path)
    return env


def test_bench_audit_reports_its_ratios(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        engine = current_engine()
    done = closedstacks("bench", "audit", "--scale", "0.002", "--databases", engine, "--postgres-url",
                        postgres_server_url(), "--json", env=env_for(tmp_path), timeout=600)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["databases"][engine]["entries"] == 200
    assert figures["append_vs_insert"][engine] > 0 and figures["verify_vs_read"][engine] > 0


def test_bench_matters_reports_its_ratios(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        engine = current_engine()
    done = closedstacks("bench", "matters", "--scale", "0.002", "--databases", engine, "--postgres-url",
                        postgres_server_url(), "--json", env=env_for(tmp_path), timeout=600)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    data = figures["databases"][engine]
    assert data["matters"] == 200 and figures["page_vs_trivial_max"] > 0
    assert set(data["ratios"]) >= {"queue: waiting (director)", "queue: open (director)", "matter page (director)",
                                   "home (director)", "search: a case number (director)",
                                   "filtered: counsel, overdue (director)", "sorted: next deadline (director)",
                                   "matter page, first look after a change (director)",
                                   "home, first look after a change (director)"}
    # A first look finds nothing kept: it makes every query a look again does not.
    assert data["queries"]["matter page, first look after a change (director)"] > \
        data["queries"]["matter page (director)"] + 8
    # Every page counts, the home page and the first looks too.
    assert data["page_vs_trivial_max"] == max(data["ratios"].values())


def test_bench_records_reports_its_ratio_and_memory(tmp_path):
    from tests.ils import require_server

    require_server("mysql")
    done = closedstacks("bench", "records", "--scale", "0.0005", "--production-records", "200", "--json",
                        env=env_for(tmp_path), timeout=900)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["past_loans"] == 5000 and figures["users"] == 100
    assert figures["extract_vs_raw_sql"] > 0 and figures["sample_rows"] > 0
    assert figures["production_records"] >= 200 and figures["production_peak_rss_mb"] > 0


def test_bench_retention_reports_one_object_per_database(tmp_path):
    from tests.ils import require_server

    require_server("mysql")
    require_server("postgresql")
    done = closedstacks("bench", "retention", "--scale", "0.0005", "--postgres-url", postgres_server_url(), "--json",
                        env=env_for(tmp_path), timeout=900)
    assert done.returncode == 0, done.stderr
    figures = {f["database"]: f for f in map(json.loads, done.stdout.strip().splitlines())}
    assert set(figures) == {"mariadb", "postgresql"}
    assert figures["mariadb"]["shape"] == "koha" and figures["postgresql"]["shape"] == "evergreen"
    for measured in figures.values():
        assert measured["run_vs_single_update"] > 0 and measured["longest_batch_lock_s"] > 0
        assert measured["held_rows_changed"] == 0
