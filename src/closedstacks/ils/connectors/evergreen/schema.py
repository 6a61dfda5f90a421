"""An Evergreen-shaped database: the tables Closed Stacks reads, with the columns real Evergreen has.

Evergreen runs on PostgreSQL, with its tables in schemas (``actor.usr``,
``action.circulation``, ``asset.copy``, ...). This module builds the same
shape for connector tests and the demo: on PostgreSQL in real schemas, on
SQLite as prefixed tables (``actor_usr``), via :meth:`Database.table`.

The tables carry many more columns than the connector reads (phones, notice
flags, fine rules, workstations, ...) so that tests prove the connector selects
only what it needs and tolerates the rest. Simplifications, compared with a
real Evergreen:

* ``action.circulation`` is a plain table holding the ``money.billable_xact``
  columns it inherits in Evergreen (``id``, ``usr``, ``xact_start``,
  ``xact_finish``, ``unrecovered``) followed by its own;
* titles and authors come from ``reporter.materialized_simple_record``
  (``id`` = the bib record id, ``title``, ``author``, ...), which real
  Evergreen maintains from ``metabib`` for reports; ``biblio.record_entry``
  exists (with a stub ``marc``) for the foreign keys' sake;
* no foreign keys or triggers (aging, history maintenance): the generator
  writes what those triggers would have written;
* of the users' settings (``actor.usr_setting``), only the two opt-ins to
  keeping their history (``history.circ.retention_start``,
  ``history.hold.retention_start``).

Indexes follow Evergreen's (``actor.card(barcode)`` unique,
``action.circulation(usr)``, ``(xact_start)``, ``(parent_circ)`` unique,
``action.hold_request(usr)``, ``action.usr_circ_history(usr)``, ...); they are
created after loading (:func:`create_indexes`).
"""

from __future__ import annotations

from closedstacks.ils.connectors.db import Database

SCHEMAS = ("actor", "action", "asset", "biblio", "reporter", "permission")

# Column types, written once and spelt per dialect.
TYPES = {
    "postgresql": {"pk": "BIGSERIAL PRIMARY KEY", "int": "INTEGER", "bigint": "BIGINT", "text": "TEXT",
                   "bool": "BOOLEAN", "ts": "TIMESTAMP WITH TIME ZONE", "date": "DATE", "num": "NUMERIC(8,2)",
                   "interval": "INTERVAL"},
    "sqlite": {"pk": "INTEGER PRIMARY KEY", "int": "INTEGER", "bigint": "INTEGER", "text": "TEXT",
               "bool": "BOOLEAN", "ts": "TEXT", "date": "TEXT", "num": "NUMERIC", "interval": "TEXT"},
}

# table -> [(column, type, extra SQL)]; the extra is dialect-neutral (NOT NULL, DEFAULT ...).
TABLES: dict[str, list[tuple[str, str, str]]] = {
    "permission.grp_tree": [
        ("id", "pk", ""), ("name", "text", "NOT NULL"), ("parent", "int", ""),
        ("usergroup", "bool", "NOT NULL DEFAULT TRUE"), ("perm_interval", "interval", ""),
        ("description", "text", ""), ("application_perm", "text", ""), ("hold_priority", "int", "DEFAULT 0"),
    ],
    "actor.org_unit": [
        ("id", "pk", ""), ("parent_ou", "int", ""), ("ou_type", "int", "NOT NULL DEFAULT 3"),
        ("ill_address", "int", ""), ("holds_address", "int", ""), ("mailing_address", "int", ""),
        ("billing_address", "int", ""), ("shortname", "text", "NOT NULL"), ("name", "text", "NOT NULL"),
        ("email", "text", ""), ("phone", "text", ""), ("opac_visible", "bool", "NOT NULL DEFAULT TRUE"),
        ("fiscal_calendar", "int", "NOT NULL DEFAULT 1"),
    ],
    "actor.usr": [
        ("id", "pk", ""), ("card", "int", ""), ("profile", "int", "NOT NULL"), ("usrname", "text", "NOT NULL"),
        ("email", "text", ""), ("passwd", "text", ""), ("standing", "int", "NOT NULL DEFAULT 1"),
        ("ident_type", "int", "NOT NULL DEFAULT 3"), ("ident_value", "text", ""), ("ident_type2", "int", ""),
        ("ident_value2", "text", ""), ("net_access_level", "int", "NOT NULL DEFAULT 1"),
        ("photo_url", "text", ""), ("prefix", "text", ""), ("first_given_name", "text", "NOT NULL"),
        ("second_given_name", "text", ""), ("family_name", "text", "NOT NULL"), ("suffix", "text", ""),
        ("guardian", "text", ""), ("pref_prefix", "text", ""), ("pref_first_given_name", "text", ""),
        ("pref_second_given_name", "text", ""), ("pref_family_name", "text", ""), ("pref_suffix", "text", ""),
        ("name_keywords", "text", ""), ("name_kw_tsvector", "text", ""), ("alias", "text", ""),
        ("day_phone", "text", ""), ("evening_phone", "text", ""), ("other_phone", "text", ""),
        ("mailing_address", "int", ""), ("billing_address", "int", ""), ("home_ou", "int", "NOT NULL"),
        ("dob", "date", ""), ("active", "bool", "NOT NULL DEFAULT TRUE"),
        ("master_account", "bool", "NOT NULL DEFAULT FALSE"), ("super_user", "bool", "NOT NULL DEFAULT FALSE"),
        ("barred", "bool", "NOT NULL DEFAULT FALSE"), ("deleted", "bool", "NOT NULL DEFAULT FALSE"),
        ("juvenile", "bool", "NOT NULL DEFAULT FALSE"), ("usrgroup", "int", ""),
        ("claims_returned_count", "int", "NOT NULL DEFAULT 0"), ("credit_forward_balance", "num", "DEFAULT 0"),
        ("last_xact_id", "text", "NOT NULL DEFAULT 'none'"), ("create_date", "ts", ""),
        ("expire_date", "ts", ""), ("claims_never_checked_out_count", "int", "NOT NULL DEFAULT 0"),
        ("last_update_time", "ts", ""), ("locale", "text", ""),
    ],
    "actor.usr_address": [
        ("id", "pk", ""), ("valid", "bool", "NOT NULL DEFAULT TRUE"),
        ("within_city_limits", "bool", "NOT NULL DEFAULT TRUE"), ("address_type", "text", "NOT NULL DEFAULT 'MAILING'"),
        ("usr", "int", "NOT NULL"), ("street1", "text", "NOT NULL"), ("street2", "text", ""),
        ("city", "text", "NOT NULL"), ("county", "text", ""), ("state", "text", ""),
        ("country", "text", "NOT NULL DEFAULT 'USA'"), ("post_code", "text", "NOT NULL"),
        ("pending", "bool", "NOT NULL DEFAULT FALSE"), ("replaces", "int", ""),
    ],
    "actor.card": [
        ("id", "pk", ""), ("usr", "int", "NOT NULL"), ("barcode", "text", "NOT NULL"),
        ("active", "bool", "NOT NULL DEFAULT TRUE"),
    ],
    "actor.usr_setting": [
        # A user's own preferences, each value JSON text: history.circ.retention_start (keep my circulation
        # history, since that date) and history.hold.retention_start (my hold history) are the opt-ins.
        ("id", "pk", ""), ("usr", "int", "NOT NULL"), ("name", "text", "NOT NULL"), ("value", "text", "NOT NULL"),
    ],
    "biblio.record_entry": [
        ("id", "pk", ""), ("creator", "int", "NOT NULL DEFAULT 1"), ("editor", "int", "NOT NULL DEFAULT 1"),
        ("source", "int", ""), ("quality", "int", ""), ("create_date", "ts", ""), ("edit_date", "ts", ""),
        ("active", "bool", "NOT NULL DEFAULT TRUE"), ("deleted", "bool", "NOT NULL DEFAULT FALSE"),
        ("fingerprint", "text", ""), ("tcn_source", "text", ""), ("tcn_value", "text", ""),
        ("marc", "text", "NOT NULL DEFAULT ''"), ("last_xact_id", "text", "NOT NULL DEFAULT 'none'"),
        ("owner", "int", ""), ("share_depth", "int", ""),
    ],
    "reporter.materialized_simple_record": [
        ("id", "pk", ""), ("fingerprint", "text", ""), ("quality", "int", ""), ("tcn_source", "text", ""),
        ("tcn_value", "text", ""), ("title", "text", ""), ("author", "text", ""), ("publisher", "text", ""),
        ("pubdate", "text", ""), ("isbn", "text", ""), ("issn", "text", ""),
    ],
    "asset.call_number": [
        ("id", "pk", ""), ("creator", "int", "NOT NULL DEFAULT 1"), ("create_date", "ts", ""),
        ("editor", "int", "NOT NULL DEFAULT 1"), ("edit_date", "ts", ""), ("record", "bigint", "NOT NULL"),
        ("owning_lib", "int", "NOT NULL"), ("label", "text", "NOT NULL"), ("deleted", "bool", "NOT NULL DEFAULT FALSE"),
        ("prefix", "int", "NOT NULL DEFAULT -1"), ("suffix", "int", "NOT NULL DEFAULT -1"),
        ("label_class", "int", "NOT NULL DEFAULT 1"), ("label_sortkey", "text", ""),
    ],
    "asset.copy": [
        ("id", "pk", ""), ("circ_lib", "int", "NOT NULL"), ("creator", "int", "NOT NULL DEFAULT 1"),
        ("call_number", "bigint", "NOT NULL"), ("editor", "int", "NOT NULL DEFAULT 1"), ("create_date", "ts", ""),
        ("edit_date", "ts", ""), ("copy_number", "int", ""), ("status", "int", "NOT NULL DEFAULT 0"),
        ("location", "int", "NOT NULL DEFAULT 1"), ("loan_duration", "int", "NOT NULL DEFAULT 2"),
        ("fine_level", "int", "NOT NULL DEFAULT 2"), ("age_protect", "int", ""),
        ("circulate", "bool", "NOT NULL DEFAULT TRUE"), ("deposit", "bool", "NOT NULL DEFAULT FALSE"),
        ("ref", "bool", "NOT NULL DEFAULT FALSE"), ("holdable", "bool", "NOT NULL DEFAULT TRUE"),
        ("deposit_amount", "num", "DEFAULT 0"), ("price", "num", ""), ("barcode", "text", "NOT NULL"),
        ("circ_modifier", "text", ""), ("circ_as_type", "text", ""), ("dummy_title", "text", ""),
        ("dummy_author", "text", ""), ("alert_message", "text", ""), ("opac_visible", "bool", "NOT NULL DEFAULT TRUE"),
        ("deleted", "bool", "NOT NULL DEFAULT FALSE"), ("floating", "int", ""), ("dummy_isbn", "text", ""),
        ("status_changed_time", "ts", ""), ("active_date", "ts", ""),
        ("mint_condition", "bool", "NOT NULL DEFAULT TRUE"),
        ("cost", "num", ""),
    ],
    "action.circulation": [
        # money.billable_xact's columns, which action.circulation inherits in Evergreen
        ("id", "pk", ""), ("usr", "int", "NOT NULL"), ("xact_start", "ts", "NOT NULL"), ("xact_finish", "ts", ""),
        ("unrecovered", "bool", ""),
        # action.circulation's own
        ("target_copy", "bigint", "NOT NULL"), ("circ_lib", "int", "NOT NULL"), ("circ_staff", "int", "NOT NULL"),
        ("checkin_staff", "int", ""), ("checkin_lib", "int", ""), ("renewal_remaining", "int", "NOT NULL DEFAULT 2"),
        ("grace_period", "interval", ""), ("due_date", "ts", ""), ("stop_fines_time", "ts", ""),
        ("checkin_time", "ts", ""), ("create_time", "ts", ""), ("duration", "interval", ""),
        ("fine_interval", "interval", ""), ("recurring_fine", "num", ""), ("max_fine", "num", ""),
        ("phone_renewal", "bool", "NOT NULL DEFAULT FALSE"), ("desk_renewal", "bool", "NOT NULL DEFAULT FALSE"),
        ("opac_renewal", "bool", "NOT NULL DEFAULT FALSE"), ("duration_rule", "text", ""),
        ("recurring_fine_rule", "text", ""), ("max_fine_rule", "text", ""), ("stop_fines", "text", ""),
        ("workstation", "int", ""), ("checkin_workstation", "int", ""), ("copy_location", "int", "NOT NULL DEFAULT 1"),
        ("checkin_scan_time", "ts", ""), ("auto_renewal", "bool", "NOT NULL DEFAULT FALSE"),
        ("auto_renewal_remaining", "int", ""), ("parent_circ", "bigint", ""),
    ],
    "action.aged_circulation": [
        ("id", "pk", ""), ("usr_post_code", "text", ""), ("usr_home_ou", "int", "NOT NULL"),
        ("usr_profile", "int", "NOT NULL"), ("usr_birth_year", "int", ""), ("copy_call_number", "int", "NOT NULL"),
        ("copy_location", "int", "NOT NULL DEFAULT 1"), ("copy_owning_lib", "int", "NOT NULL"),
        ("copy_circ_lib", "int", "NOT NULL"), ("copy_bib_record", "bigint", "NOT NULL"),
        ("xact_start", "ts", "NOT NULL"), ("xact_finish", "ts", ""),
        ("unrecovered", "bool", ""), ("target_copy", "bigint", "NOT NULL"), ("circ_lib", "int", "NOT NULL"),
        ("circ_staff", "int", "NOT NULL"), ("checkin_staff", "int", ""), ("checkin_lib", "int", ""),
        ("renewal_remaining", "int", "NOT NULL DEFAULT 0"), ("grace_period", "interval", ""),
        ("due_date", "ts", ""), ("stop_fines_time", "ts", ""), ("checkin_time", "ts", ""),
        ("create_time", "ts", ""), ("duration", "interval", ""), ("fine_interval", "interval", ""),
        ("recurring_fine", "num", ""), ("max_fine", "num", ""), ("phone_renewal", "bool", "NOT NULL DEFAULT FALSE"),
        ("desk_renewal", "bool", "NOT NULL DEFAULT FALSE"), ("opac_renewal", "bool", "NOT NULL DEFAULT FALSE"),
        ("duration_rule", "text", ""), ("recurring_fine_rule", "text", ""), ("max_fine_rule", "text", ""),
        ("stop_fines", "text", ""), ("workstation", "int", ""), ("checkin_workstation", "int", ""),
        ("checkin_scan_time", "ts", ""), ("parent_circ", "bigint", ""), ("auto_renewal", "bool", ""),
        ("auto_renewal_remaining", "int", ""),
    ],
    "action.hold_request": [
        ("id", "pk", ""), ("request_time", "ts", "NOT NULL"), ("capture_time", "ts", ""),
        ("fulfillment_time", "ts", ""), ("checkin_time", "ts", ""), ("return_time", "ts", ""),
        ("prev_check_time", "ts", ""), ("expire_time", "ts", ""), ("cancel_time", "ts", ""),
        ("cancel_cause", "int", ""), ("cancel_note", "text", ""), ("target", "bigint", "NOT NULL"),
        ("current_copy", "bigint", ""), ("fulfillment_staff", "int", ""), ("fulfillment_lib", "int", ""),
        ("request_lib", "int", "NOT NULL"), ("requestor", "int", "NOT NULL"), ("usr", "int", "NOT NULL"),
        ("selection_ou", "int", "NOT NULL"), ("selection_depth", "int", "NOT NULL DEFAULT 0"),
        ("pickup_lib", "int", "NOT NULL"), ("hold_type", "text", "NOT NULL"), ("holdable_formats", "text", ""),
        ("phone_notify", "text", ""), ("email_notify", "bool", "NOT NULL DEFAULT FALSE"), ("sms_notify", "text", ""),
        ("sms_carrier", "int", ""), ("frozen", "bool", "NOT NULL DEFAULT FALSE"), ("thaw_date", "ts", ""),
        ("shelf_time", "ts", ""), ("cut_in_line", "bool", ""), ("mint_condition", "bool", "NOT NULL DEFAULT TRUE"),
        ("shelf_expire_time", "ts", ""), ("current_shelf_lib", "int", ""),
        ("behind_desk", "bool", "NOT NULL DEFAULT FALSE"),
    ],
    "action.aged_hold_request": [
        ("id", "pk", ""), ("usr_post_code", "text", ""), ("usr_home_ou", "int", "NOT NULL"),
        ("usr_profile", "int", "NOT NULL"), ("usr_birth_year", "int", ""), ("staff_placed", "bool", "NOT NULL"),
        ("request_time", "ts", "NOT NULL"), ("capture_time", "ts", ""), ("fulfillment_time", "ts", ""),
        ("checkin_time", "ts", ""), ("return_time", "ts", ""), ("prev_check_time", "ts", ""),
        ("expire_time", "ts", ""), ("cancel_time", "ts", ""), ("cancel_cause", "int", ""),
        ("cancel_note", "text", ""), ("target", "bigint", "NOT NULL"), ("current_copy", "bigint", ""),
        ("fulfillment_staff", "int", ""), ("fulfillment_lib", "int", ""), ("request_lib", "int", "NOT NULL"),
        ("selection_ou", "int", "NOT NULL"), ("selection_depth", "int", "NOT NULL DEFAULT 0"),
        ("pickup_lib", "int", "NOT NULL"), ("hold_type", "text", ""), ("holdable_formats", "text", ""),
        ("phone_notify", "bool", "NOT NULL DEFAULT FALSE"), ("email_notify", "bool", "NOT NULL DEFAULT FALSE"),
        ("sms_notify", "bool", "NOT NULL DEFAULT FALSE"), ("frozen", "bool", "NOT NULL DEFAULT FALSE"),
        ("thaw_date", "ts", ""), ("shelf_time", "ts", ""), ("cut_in_line", "bool", ""),
        ("mint_condition", "bool", "NOT NULL DEFAULT TRUE"), ("shelf_expire_time", "ts", ""),
        ("current_shelf_lib", "int", ""), ("behind_desk", "bool", "NOT NULL DEFAULT FALSE"),
    ],
    "action.usr_circ_history": [
        ("id", "pk", ""), ("usr", "int", "NOT NULL"), ("xact_start", "ts", "NOT NULL"),
        ("target_copy", "bigint", "NOT NULL"), ("due_date", "ts", "NOT NULL"), ("checkin_time", "ts", ""),
        ("source_circ", "bigint", ""),
    ],
}

# (index name, table, columns, unique) — Evergreen's names where it has them.
INDEXES: list[tuple[str, str, str, bool]] = [
    ("actor_usr_usrname_idx", "actor.usr", "usrname", True),
    ("actor_usr_family_name_idx", "actor.usr", "family_name", False),
    ("actor_usr_first_given_name_idx", "actor.usr", "first_given_name", False),
    ("actor_usr_home_ou_idx", "actor.usr", "home_ou", False),
    ("actor_usr_addr_usr_idx", "actor.usr_address", "usr", False),
    ("actor_card_barcode_idx", "actor.card", "barcode", True),
    ("actor_card_usr_idx", "actor.card", "usr", False),
    ("actor_usr_setting_usr_idx", "actor.usr_setting", "usr", False),
    ("usr_once_per_key", "actor.usr_setting", "usr, name", True),
    ("cn_record_idx", "asset.call_number", "record", False),
    ("cp_cn_idx", "asset.copy", "call_number", False),
    ("copy_barcode_key", "asset.copy", "barcode", False),
    ("circ_usr_idx", "action.circulation", "usr", False),
    ("circ_xact_start_idx", "action.circulation", "xact_start", False),
    ("circ_target_copy_idx", "action.circulation", "target_copy", False),
    ("circ_parent_idx", "action.circulation", "parent_circ", True),
    ("aged_circ_start_idx", "action.aged_circulation", "xact_start", False),
    ("aged_circ_copy_idx", "action.aged_circulation", "target_copy", False),
    ("hold_request_usr_idx", "action.hold_request", "usr", False),
    ("hold_request_target_idx", "action.hold_request", "target", False),
    ("hold_request_current_copy_idx", "action.hold_request", "current_copy", False),
    ("action_usr_circ_history_usr_idx", "action.usr_circ_history", "usr", False),
    ("action_usr_circ_history_source_circ_idx", "action.usr_circ_history", "source_circ", False),
]


def column_names(table: str) -> list[str]:
    return [name for name, _, _ in TABLES[table]]


def ddl(db: Database, table: str) -> str:
    types = TYPES[db.driver]
    columns = ", ".join(" ".join(filter(None, (name, types[kind], extra))) for name, kind, extra in TABLES[table])
    return f"CREATE TABLE {db.table(table)} ({columns})"


def create(db: Database, *, indexes: bool = True) -> None:
    """(Re)create every table (dropping what was there), and with ``indexes`` their secondary indexes.

    ``db`` must be writable (``connect(settings, autocommit=False)``); the caller commits.
    """
    cursor = db.connection.cursor()
    if db.driver == "postgresql":
        for schema in SCHEMAS:
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA {schema}")
    for table in TABLES:
        if db.driver != "postgresql":
            cursor.execute(f"DROP TABLE IF EXISTS {db.table(table)}")
        cursor.execute(ddl(db, table))
    if indexes:
        create_indexes(db)


def create_indexes(db: Database) -> None:
    cursor = db.connection.cursor()
    for name, table, columns, unique in INDEXES:
        index = name if db.driver == "postgresql" else f"{db.table(table)}__{name}"
        cursor.execute(f"CREATE {'UNIQUE ' if unique else ''}INDEX {index} ON {db.table(table)} ({columns})")
