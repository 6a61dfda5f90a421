"""The Evergreen schema we build, checked against what upstream Evergreen has (notes/evergreen-facts.md), on the real
PostgreSQL server in a C-locale database, as Evergreen's installer creates it.

The expectations here are written out by hand from the upstream SQL, independently of schema.py, so that a drift in
either fails: per supported release, the tables and columns the connector and retention rely on (type, NULL and
default for the key ones), the expression indexes, the upgrade log; and the behaviour of the functions and triggers
schema.py recreates (evergreen.lowercase under the C locale, the aging triggers, the reading-history trigger and who
it counts as opted in).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from closedstacks.bench.databases import scratch_ils_database
from closedstacks.ils.connectors.db import ConnectionSettings, connect
from closedstacks.ils.connectors.evergreen import CONNECTOR, schema
from closedstacks.ils.connectors.evergreen.connector import NEEDS
from closedstacks.ils.generators.evergreen import generate
from closedstacks.retention import evergreen as retention
from tests.ils import require_server

VERSIONS = ["3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"]

# (table, column) -> (data type as information_schema spells it, nullable, default or None), for every release.
KEY_COLUMNS = {
    ("actor.usr", "id"): ("integer", False, "nextval"),
    ("actor.usr", "card"): ("integer", True, None),
    ("actor.usr", "profile"): ("integer", False, None),
    ("actor.usr", "usrname"): ("text", False, None),
    ("actor.usr", "first_given_name"): ("text", False, None),
    ("actor.usr", "family_name"): ("text", False, None),
    ("actor.usr", "home_ou"): ("integer", False, None),
    ("actor.usr", "dob"): ("date", True, None),
    ("actor.usr", "deleted"): ("boolean", False, "false"),
    ("actor.usr", "ident_type"): ("integer", False, None),
    ("actor.usr", "mailing_address"): ("integer", True, None),
    ("actor.usr", "name_kw_tsvector"): ("tsvector", True, None),
    ("actor.usr", "create_date"): ("timestamp with time zone", False, "now()"),
    ("actor.card", "usr"): ("integer", False, None),
    ("actor.card", "barcode"): ("text", False, None),
    ("actor.card", "active"): ("boolean", False, "true"),
    ("actor.usr_address", "post_code"): ("text", False, None),
    ("actor.usr_address", "country"): ("text", False, None),
    ("actor.usr_setting", "id"): ("bigint", False, "nextval"),
    ("actor.usr_setting", "usr"): ("integer", False, None),
    ("actor.usr_setting", "name"): ("text", False, None),
    ("actor.usr_setting", "value"): ("text", False, None),
    ("money.billable_xact", "id"): ("bigint", False, "nextval"),
    ("money.billable_xact", "xact_start"): ("timestamp with time zone", False, "now()"),
    ("action.circulation", "id"): ("bigint", False, "nextval('money.billable_xact_id_seq"),
    ("action.circulation", "usr"): ("integer", False, None),
    ("action.circulation", "xact_start"): ("timestamp with time zone", False, "now()"),
    ("action.circulation", "xact_finish"): ("timestamp with time zone", True, None),
    ("action.circulation", "target_copy"): ("bigint", False, None),
    ("action.circulation", "due_date"): ("timestamp with time zone", True, None),
    ("action.circulation", "checkin_time"): ("timestamp with time zone", True, None),
    ("action.circulation", "renewal_remaining"): ("integer", False, None),
    ("action.circulation", "grace_period"): ("interval", False, None),
    ("action.circulation", "fine_interval"): ("interval", False, "'1 day'::interval"),
    ("action.circulation", "duration_rule"): ("text", False, None),
    ("action.circulation", "copy_location"): ("integer", False, "1"),
    ("action.circulation", "parent_circ"): ("bigint", True, None),
    ("action.aged_circulation", "id"): ("bigint", False, None),
    ("action.aged_circulation", "usr_home_ou"): ("integer", False, None),
    ("action.aged_circulation", "usr_post_code"): ("text", True, None),
    ("action.aged_circulation", "copy_bib_record"): ("bigint", False, None),
    ("action.aged_circulation", "xact_start"): ("timestamp with time zone", False, None),
    ("action.aged_circulation", "fine_interval"): ("interval", False, None),
    ("action.aged_circulation", "phone_renewal"): ("boolean", False, None),
    ("action.hold_request", "request_time"): ("timestamp with time zone", False, "now()"),
    ("action.hold_request", "usr"): ("integer", False, None),
    ("action.hold_request", "requestor"): ("integer", False, None),
    ("action.hold_request", "target"): ("bigint", False, None),
    ("action.hold_request", "hold_type"): ("text", True, None),
    ("action.hold_request", "phone_notify"): ("text", True, None),
    ("action.hold_request", "frozen"): ("boolean", False, "false"),
    ("action.hold_request", "selection_depth"): ("integer", False, "0"),
    ("action.aged_hold_request", "staff_placed"): ("boolean", False, None),
    ("action.aged_hold_request", "phone_notify"): ("boolean", False, None),
    ("action.aged_hold_request", "sms_notify"): ("boolean", False, None),
    ("action.aged_hold_request", "selection_depth"): ("integer", False, None),
    ("action.usr_circ_history", "usr"): ("integer", False, None),
    ("action.usr_circ_history", "xact_start"): ("timestamp with time zone", False, "now()"),
    ("action.usr_circ_history", "due_date"): ("timestamp with time zone", False, None),
    ("action.usr_circ_history", "checkin_time"): ("timestamp with time zone", True, None),
    ("action.usr_circ_history", "source_circ"): ("bigint", True, None),
    ("config.upgrade_log", "version"): ("text", False, None),
    ("config.upgrade_log", "install_date"): ("timestamp with time zone", False, "now()"),
    ("config.upgrade_log", "applied_to"): ("text", True, None),
    ("action.non_cataloged_circulation", "patron"): ("integer", False, None),
    ("action.non_cataloged_circulation", "circ_time"): ("timestamp with time zone", False, "now()"),
    ("action.hold_notification", "hold"): ("integer", False, None),
    ("action_trigger.event", "target"): ("bigint", False, None),
    ("action_trigger.event_definition", "retention_interval"): ("interval", True, None),
    ("container.biblio_record_entry_bucket", "owner"): ("integer", False, None),
    ("container.biblio_record_entry_bucket_item", "target_biblio_record_entry"): ("bigint", False, None),
    ("booking.reservation", "usr"): ("integer", False, None),
    ("acq.user_request", "usr"): ("integer", False, None),
    ("acq.user_request", "request_date"): ("timestamp with time zone", False, "now()"),
    ("actor.usr_message", "usr"): ("integer", False, None),
    ("actor.usr_activity", "usr"): ("integer", True, None),
    ("action.survey_response", "usr"): ("integer", True, None),
    ("auditor.actor_usr_history", "audit_time"): ("timestamp with time zone", False, None),
    ("auditor.actor_usr_history", "id"): ("integer", False, None),
    ("serial.routing_list_user", "reader"): ("integer", True, None),
    ("action.transit_copy", "target_copy"): ("bigint", False, None),
}
# Release differences (upgrade script, release): column -> the releases that have it.
SINCE = {
    ("actor.usr_message", "pub"): "3.8",  # 1288
    ("action_trigger.event", "context_user"): "3.8",  # 1291
    ("actor.usr", "locale"): "3.9",  # 1324
    ("action.hold_request", "canceled_by"): "3.13",  # 1405
    ("action.aged_hold_request", "canceled_by"): "3.13",  # fresh installs: LIKE action.hold_request
}
UNTIL = {("actor.usr", "alert_message"): "3.7"}  # dropped by 1288 (3.8)
PASSWD_NULLABLE_SINCE = "3.14"  # 1487, in 3.14.11 and 3.15.6
# What retention reads and writes besides the connector's columns.
RETENTION_NEEDS = {
    "action.aged_circulation": ("id", "usr_post_code", "usr_home_ou", "usr_profile", "usr_birth_year",
                                "copy_call_number", "copy_owning_lib", "copy_circ_lib", "copy_bib_record",
                                "xact_start", "xact_finish", "target_copy"),
    "action.aged_hold_request": ("id", "usr_post_code", "usr_home_ou", "usr_profile", "usr_birth_year",
                                 "staff_placed", "request_time", "fulfillment_time", "cancel_time", "target"),
    "actor.usr_setting": ("usr", "name", "value"),
    "actor.usr_address": ("post_code",),
}
EXPRESSION_INDEXES = {
    "actor_usr_usrname_idx": "evergreen.lowercase(usrname)",
    "actor_usr_family_name_idx": "evergreen.lowercase(family_name)",
    "actor_usr_first_given_name_idx": "evergreen.lowercase(first_given_name)",
    "actor_usr_family_name_unaccent_idx": "evergreen.unaccent_and_squash(family_name)",
    "actor_card_barcode_evergreen_lowercase_idx": "evergreen.lowercase(barcode)",
}
# PostgreSQL names inline UNIQUEs after the bare table name, in Evergreen as here.
UNIQUE_CONSTRAINTS = {"usr_usrname_key", "usr_card_key", "card_barcode_key", "usr_once_per_key"}


def vkey(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


@pytest.fixture(scope="module")
def c_locale_url():
    """One scratch PostgreSQL database in the C locale (as Evergreen's installer makes it) for the module."""
    require_server("postgresql")
    with scratch_ils_database("postgresql", locale="C") as url:
        yield url


def settings_of(url) -> ConnectionSettings:
    return ConnectionSettings.from_url(url)


def build(url, version=None, **kwargs):
    settings = settings_of(url)
    with connect(settings, autocommit=False) as db:
        schema.create(db, version=version, **kwargs)
        db.connection.commit()
    return settings


def rows(settings, sql, params=()):
    with connect(settings, autocommit=False) as db:
        return list(db.rows(sql, params))


def run(settings, *statements, params=()):
    with connect(settings, autocommit=False) as db:
        for statement in statements:
            db.execute(statement, params)
        db.connection.commit()


def test_the_database_is_in_the_c_locale(c_locale_url):
    settings = settings_of(c_locale_url)
    assert rows(settings, "SELECT datcollate, datctype, pg_encoding_to_char(encoding) FROM pg_database "
                          "WHERE datname = current_database()") == [("C", "C", "UTF8")]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_schema_has_upstreams_tables_and_columns(c_locale_url, version):
    assert list(schema.VERSIONS) == VERSIONS
    settings = build(c_locale_url, version)
    found = {}
    for table_schema, table, column, data_type, nullable, default in rows(
            settings, "SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default "
                      "FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', "
                      "'information_schema', 'public')"):
        found[(f"{table_schema}.{table}", column)] = (data_type, nullable == "YES", default)
    for table, columns in {**NEEDS, **RETENTION_NEEDS}.items():
        for column in columns:
            assert (table, column) in found, f"{version}: {table}.{column} is missing"
    for key, (data_type, nullable, default) in KEY_COLUMNS.items():
        assert key in found, f"{version}: {key} is missing"
        got_type, got_nullable, got_default = found[key]
        assert (got_type, got_nullable) == (data_type, nullable), (version, key, found[key])
        if default is None:
            assert got_default is None, (version, key, got_default)
        else:
            assert got_default is not None and got_default.startswith(default), (version, key, got_default)
    for key, since in SINCE.items():
        assert (key in found) == (vkey(version) >= vkey(since)), (version, key)
    for key, until in UNTIL.items():
        assert (key in found) == (vkey(version) <= vkey(until)), (version, key)
    assert found[("actor.usr", "passwd")][1] == (vkey(version) >= vkey(PASSWD_NULLABLE_SINCE)), version
    # action.circulation and booking.reservation inherit money.billable_xact, as in Evergreen
    assert {child for (child,) in rows(settings, "SELECT c.oid::regclass::text FROM pg_inherits i JOIN pg_class c "
                                                 "ON c.oid = i.inhrelid WHERE i.inhparent = "
                                                 "'money.billable_xact'::regclass")} == {
        "action.circulation", "booking.reservation"}
    # the upgrade log names the release, as an upgraded install's does
    logged = [v for (v,) in rows(settings, "SELECT version FROM config.upgrade_log")]
    assert schema.VERSIONS[version]["point"] in logged and f"{version}.0" in logged
    assert schema.release_of(logged) == version
    assert schema.release_of([schema.VERSIONS[version]["last"]]) == version  # a fresh x.0 install's single row


def test_indexes_and_keys_are_upstreams(c_locale_url):
    settings = build(c_locale_url)
    indexes = dict(rows(settings, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname IN ('actor', "
                                  "'action', 'asset')"))
    for name, expression in EXPRESSION_INDEXES.items():
        assert name in indexes and expression in indexes[name], (name, indexes.get(name))
    assert "WHERE (parent_circ IS NOT NULL)" in indexes["circ_parent_idx"]
    assert "UNIQUE" in indexes["only_one_concurrent_checkout_per_copy"]
    constraints = {name for (name,) in rows(settings, "SELECT conname FROM pg_constraint")}
    assert UNIQUE_CONSTRAINTS <= constraints
    deletes = dict(rows(settings, "SELECT conrelid::regclass::text || '.' || a.attname, confdeltype FROM "
                                  "pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND "
                                  "a.attnum = c.conkey[1] WHERE c.contype = 'f'"))
    assert deletes["action.usr_circ_history.source_circ"] == "n"  # SET NULL
    assert deletes["actor.usr_setting.usr"] == "c"  # CASCADE
    assert deletes["action.hold_notification.hold"] == "c"
    assert deletes["container.biblio_record_entry_bucket_item.bucket"] == "c"
    # the trigger and function names retention.evergreen looks for
    triggers = set(rows(settings, "SELECT n.nspname, c.relname, p.proname FROM pg_trigger t JOIN pg_class c ON "
                                  "c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p "
                                  "ON p.oid = t.tgfoid WHERE NOT t.tgisinternal"))
    assert set(retention.AGING_TRIGGERS.values()) <= triggers
    assert ("action", "circulation", "maintain_usr_circ_history") in triggers
    assert ("action", "circulation", "age_parent_circ_on_delete") in triggers


def test_lower_in_the_c_locale_does_not_fold_accents_evergreen_lowercase_does(c_locale_url):
    settings = build(c_locale_url)
    [(lower, lowercase, squashed)] = rows(settings, "SELECT lower('NÚÑEZ'), evergreen.lowercase('NÚÑEZ'), "
                                                    "evergreen.unaccent_and_squash('  NÚÑEZ-Peña, Ana ')")
    assert lower == "nÚÑez"
    assert lowercase == "núñez"
    assert squashed == "nunezpenaana"


def test_the_generated_library_is_consistent_and_the_connector_reads_it(c_locale_url):
    settings = settings_of(c_locale_url)
    counts = generate(settings, users=120, loans=1500, triggers=True)
    for table in ("action.non_cataloged_circulation", "action_trigger.event", "container.biblio_record_entry_bucket",
                  "container.biblio_record_entry_bucket_item", "booking.reservation", "acq.user_request",
                  "actor.usr_message", "actor.usr_activity", "action.transit_copy", "action.hold_notification",
                  "action.survey_response", "auditor.actor_usr_history", "serial.routing_list_user"):
        assert counts[table] > 0, table
    report = CONNECTOR(settings).test()
    assert report.ok, report.problems
    names = {name for (name,) in rows(settings, "SELECT family_name FROM actor.usr")}
    assert "NÚÑEZ" in names or "Núñez" in names
    # opt-ins as Evergreen lets users make them: the start date only, the age only, both
    settings_by_user: dict[int, set] = {}
    for usr, name in rows(settings, "SELECT usr, name FROM actor.usr_setting WHERE name IN "
                                                "('history.circ.retention_start', 'history.circ.retention_age')"):
        settings_by_user.setdefault(usr, set()).add(name)
    kinds = {frozenset(v) for v in settings_by_user.values()}
    assert {frozenset({"history.circ.retention_start"}), frozenset({"history.circ.retention_age"}),
            frozenset({"history.circ.retention_start", "history.circ.retention_age"})} <= kinds
    # the reading history is of those users only, one row per loan, named by its first circulation
    history_users = {usr for (usr,) in rows(settings, "SELECT DISTINCT usr FROM action.usr_circ_history")}
    assert history_users <= set(settings_by_user)
    [(bad,)] = rows(settings, "SELECT COUNT(*) FROM action.usr_circ_history h JOIN action.circulation c ON "
                              "c.id = h.source_circ WHERE c.parent_circ IS NOT NULL OR c.usr <> h.usr")
    assert bad == 0
    # ids continue after the loaded ones (the circulations' sequence is money.billable_xact's)
    [(next_id, top)] = rows(settings, "SELECT nextval('money.billable_xact_id_seq'), (SELECT MAX(id) FROM "
                                      "money.billable_xact)")
    assert next_id > top


def _library(url):
    """A small generated library with Evergreen's triggers, and a copy no one has out."""
    settings = settings_of(url)
    generate(settings, users=60, loans=600, triggers=True)
    [(copy,)] = rows(settings, "SELECT MIN(cp.id) FROM asset.copy cp WHERE NOT EXISTS (SELECT 1 FROM "
                               "action.circulation c WHERE c.target_copy = cp.id AND c.checkin_time IS NULL)")
    return settings, copy


CIRC = ("INSERT INTO action.circulation (id, usr, xact_start, xact_finish, target_copy, circ_lib, circ_staff, "
        "renewal_remaining, grace_period, due_date, checkin_time, duration_rule, recurring_fine_rule, max_fine_rule, "
        "parent_circ, stop_fines) VALUES (%s, %s, %s, %s, %s, 4, 1, 2, '1 day', %s, %s, 'default', 'default', "
        "'default', %s, %s)")


def test_deleting_a_finished_circulation_ages_its_chain_through_the_trigger(c_locale_url):
    settings, copy = _library(c_locale_url)
    [(usr, post_code, home, profile, year)] = rows(
        settings, "SELECT u.id, a.post_code, u.home_ou, u.profile, EXTRACT(YEAR FROM u.dob)::INT FROM actor.usr u "
                  "JOIN actor.usr_address a ON a.id = u.mailing_address ORDER BY u.id LIMIT 1")
    t0 = dt.datetime(2023, 1, 2, 10, tzinfo=dt.timezone.utc)
    head, renewal = 900_001, 900_002
    run(settings, CIRC, params=(head, usr, t0, t0 + dt.timedelta(days=20), copy, t0 + dt.timedelta(days=21),
                                t0 + dt.timedelta(days=20), None, "RENEW"))
    run(settings, CIRC, params=(renewal, usr, t0 + dt.timedelta(days=20), t0 + dt.timedelta(days=30), copy,
                                t0 + dt.timedelta(days=41), t0 + dt.timedelta(days=30), head, "CHECKIN"))
    # a renewed circulation is not deleted (nor aged) while its renewal is there
    run(settings, "DELETE FROM action.circulation WHERE id = %s", params=(head,))
    assert rows(settings, "SELECT COUNT(*) FROM action.circulation WHERE id = %s", (head,)) == [(1,)]
    assert rows(settings, "SELECT COUNT(*) FROM action.aged_circulation WHERE id = %s", (head,)) == [(0,)]
    # deleting the last circulation ages the whole chain, with the user's demographics and the copy's facts
    run(settings, "DELETE FROM action.circulation WHERE id = %s", params=(renewal,))
    assert rows(settings, "SELECT COUNT(*) FROM action.circulation WHERE id IN (%s, %s)", (head, renewal)) == [(0,)]
    aged = rows(settings, "SELECT a.id, a.usr_post_code, a.usr_home_ou, a.usr_profile, a.usr_birth_year, "
                          "a.copy_call_number = cp.call_number, a.copy_bib_record = cn.record, a.parent_circ, "
                          "a.xact_finish, a.duration_rule FROM action.aged_circulation a JOIN asset.copy cp ON "
                          "cp.id = a.target_copy JOIN asset.call_number cn ON cn.id = cp.call_number WHERE a.id IN "
                          "(%s, %s) ORDER BY a.id", (head, renewal))
    assert aged == [(head, post_code, home, profile, year, True, True, None, t0 + dt.timedelta(days=20), "default"),
                    (renewal, post_code, home, profile, year, True, True, head, t0 + dt.timedelta(days=30),
                     "default")]
    # retention sees Evergreen's triggers and leaves the aging to them
    with connect(settings) as db:
        assert retention.context(db).aged_by_trigger == {"past_loans", "past_holds"}


def test_deleting_a_hold_ages_it_and_its_notifications_go_with_it(c_locale_url):
    settings, _copy = _library(c_locale_url)
    [(hold, usr, requestor)] = rows(settings, "SELECT id, usr, requestor FROM action.hold_request WHERE "
                                              "cancel_time IS NOT NULL ORDER BY id LIMIT 1")
    run(settings, "UPDATE action.hold_request SET phone_notify = '555-0100', canceled_by = usr WHERE id = %s",
        params=(hold,))
    run(settings, "INSERT INTO action.hold_notification (hold, method) VALUES (%s, 'email')", params=(hold,))
    run(settings, "DELETE FROM action.hold_request WHERE id = %s", params=(hold,))
    assert rows(settings, "SELECT staff_placed, phone_notify, sms_notify, canceled_by FROM action.aged_hold_request "
                          "WHERE id = %s", (hold,)) == [(requestor != usr, True, False, None)]
    assert rows(settings, "SELECT COUNT(*) FROM action.hold_notification WHERE hold = %s", (hold,)) == [(0,)]


def test_the_history_trigger_keeps_loans_of_users_evergreen_counts_as_opted_in(c_locale_url):
    settings, copy = _library(c_locale_url)
    [(low,)] = rows(settings, "SELECT MAX(id) + 1 FROM actor.usr")
    since, age = json.dumps("2020-01-01"), json.dumps("1 year")
    users = {"start": [("history.circ.retention_start", since)], "age": [("history.circ.retention_age", age)],
             "both": [("history.circ.retention_start", since), ("history.circ.retention_age", age)],
             "json null": [("history.circ.retention_start", "null")],  # a row is a row: Evergreen counts it
             "holds only": [("history.hold.retention_start", since)], "none": []}
    ids = {}
    for n, (who, opt_ins) in enumerate(users.items()):
        uid = ids[who] = low + n
        run(settings, "INSERT INTO actor.usr (id, profile, usrname, ident_type, first_given_name, family_name, "
                      "home_ou) VALUES (%s, 8, %s, 3, 'Test', 'NÚÑEZ', 4)", params=(uid, f"test{uid}"))
        for name, value in opt_ins:
            run(settings, "INSERT INTO actor.usr_setting (usr, name, value) VALUES (%s, %s, %s)",
                params=(uid, name, value))
    t0 = dt.datetime(2024, 3, 1, 12, tzinfo=dt.timezone.utc)
    circ = 950_000
    for uid in ids.values():
        circ += 1
        run(settings, CIRC, params=(circ, uid, t0, None, copy, t0 + dt.timedelta(days=21), None, None, None))
        run(settings, "UPDATE action.circulation SET checkin_time = %s, xact_finish = %s, stop_fines = 'CHECKIN' "
                      "WHERE id = %s", params=(t0 + dt.timedelta(days=3), t0 + dt.timedelta(days=3), circ))
    kept = {usr: (source, due, checkin) for usr, source, due, checkin in rows(
        settings, "SELECT usr, source_circ, due_date, checkin_time FROM action.usr_circ_history WHERE usr >= %s",
        (low,))}
    assert set(kept) == {ids["start"], ids["age"], ids["both"], ids["json null"]}
    assert kept[ids["start"]][1:] == (t0 + dt.timedelta(days=21), t0 + dt.timedelta(days=3))
    # a renewal: the history row (named by the first circulation) takes the renewal's due date and check-in
    uid = ids["age"]
    [(first,)] = rows(settings, "SELECT source_circ FROM action.usr_circ_history WHERE usr = %s", (uid,))
    run(settings, CIRC, params=(960_001, uid, t0 + dt.timedelta(days=3), None, copy, t0 + dt.timedelta(days=40),
                                None, first, None))
    run(settings, "UPDATE action.circulation SET due_date = %s WHERE id = %s",  # the renewed one: ignored
        params=(t0 + dt.timedelta(days=99), first))
    assert rows(settings, "SELECT source_circ, due_date, checkin_time FROM action.usr_circ_history WHERE usr = %s",
                (uid,)) == [(first, t0 + dt.timedelta(days=40), None)]
    run(settings, "UPDATE action.circulation SET checkin_time = %s WHERE id = 960001",
        params=(t0 + dt.timedelta(days=10),))
    assert rows(settings, "SELECT checkin_time FROM action.usr_circ_history WHERE usr = %s",
                (uid,)) == [(t0 + dt.timedelta(days=10),)]
    # aging the loan keeps the history row, no longer tied to the circulation
    run(settings, "UPDATE action.circulation SET xact_finish = checkin_time WHERE id = 960001")
    run(settings, "DELETE FROM action.circulation WHERE id = 960001")
    assert rows(settings, "SELECT source_circ FROM action.usr_circ_history WHERE usr = %s", (uid,)) == [(None,)]


def test_sqlite_builds_the_same_tables(tmp_path):
    settings = ConnectionSettings.from_url(f"sqlite:///{tmp_path / 'eg.sqlite3'}")
    generate(settings, users=40, loans=300)
    report = CONNECTOR(settings).test()
    assert report.ok, report.problems
    with connect(settings) as db:
        for table in schema.TABLES:
            assert db.columns(db.table(table)) == set(schema.column_names(table)), table
