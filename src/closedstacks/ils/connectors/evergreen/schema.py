"""An Evergreen-shaped database: the tables Closed Stacks reads, with the columns real Evergreen has.

Evergreen runs on PostgreSQL, with its tables in schemas (``actor.usr``,
``action.circulation``, ``asset.copy``, ...). This module builds the same
shape for connector tests and the demo: on PostgreSQL in real schemas, on
SQLite as prefixed tables (``actor_usr``), via :meth:`Database.table`.

The facts it follows (columns, types, NULLs, defaults, keys, indexes,
functions and triggers, and where they differ between releases) are written
down, with the upstream file for each, in ``notes/evergreen-facts.md``; the
code here is our own. What it models:

* the tables the connector and retention read, column for column as a fresh
  install of the release (:data:`VERSIONS`, default :data:`DEFAULT_VERSION`)
  has them; ``action.circulation`` and ``booking.reservation`` inherit
  ``money.billable_xact`` on PostgreSQL (plain tables with the same columns on
  SQLite); the aged tables are ``LIKE`` their live ones (NOT NULLs kept,
  defaults not);
* the other tables that tie a user to what they read, asked for, listed or
  were told about (the privacy map), with their link and date columns;
* Evergreen's indexes, including the expression indexes on
  ``evergreen.lowercase(...)`` and ``evergreen.unaccent_and_squash(...)``
  (SQLite: ``lower(...)``; unaccent ones left out), and the foreign keys whose
  ``ON DELETE`` changes what a delete does;
* on PostgreSQL, ``evergreen.lowercase`` (PL/Perl ``lc`` where plperlu is
  installed, else an ICU-collated ``lower``: both fold Unicode, unlike
  ``lower()`` in the C locale Evergreen's installer uses),
  ``evergreen.unaccent_and_squash`` (with the ``unaccent`` extension),
  ``oils_json_to_text``, ``action.circ_chain`` and, with ``triggers``, the
  aging triggers and the reading-history trigger, in PL/pgSQL, behaving as
  Evergreen's (same trigger and function names);
* ``config.upgrade_log`` rows as an install of the release holds them
  (:func:`seed_upgrade_log`), and the history settings types and global flags.

Not modelled: ``money`` billings, the ``action.all_circulation`` views (the
triggers join the same tables themselves), permission maps, metabib.
"""

from __future__ import annotations

import re

from closedstacks.ils.connectors.db import Database

SCHEMAS = ("actor", "action", "asset", "biblio", "reporter", "permission", "config", "money", "action_trigger",
           "container", "booking", "acq", "auditor", "serial", "evergreen")

# Column types, written once and spelt per dialect.
TYPES = {
    "postgresql": {"pk": "SERIAL PRIMARY KEY", "bigpk": "BIGSERIAL PRIMARY KEY", "serial": "SERIAL",
                   "int": "INTEGER", "bigint": "BIGINT", "text": "TEXT", "bool": "BOOLEAN",
                   "ts": "TIMESTAMP WITH TIME ZONE", "date": "DATE", "num": "NUMERIC(6,2)", "num82": "NUMERIC(8,2)",
                   "interval": "INTERVAL", "tsvector": "TSVECTOR", "textpk": "TEXT PRIMARY KEY"},
    "sqlite": {"pk": "INTEGER PRIMARY KEY", "bigpk": "INTEGER PRIMARY KEY", "serial": "INTEGER", "int": "INTEGER",
               "bigint": "INTEGER", "text": "TEXT", "bool": "BOOLEAN", "ts": "TEXT", "date": "TEXT",
               "num": "NUMERIC", "num82": "NUMERIC", "interval": "TEXT", "tsvector": "TEXT",
               "textpk": "TEXT PRIMARY KEY"},
}
# Defaults that are expressions, spelt per dialect (the extra SQL is otherwise dialect-neutral).
TOKENS = {
    "postgresql": {"{now}": "now()", "{now+3y}": "(now() + '3 years'::interval)",
                   "{now+10y}": "(now() + '10 years'::interval)", "{1 day}": "'1 day'::interval"},
    "sqlite": {"{now}": "CURRENT_TIMESTAMP", "{now+3y}": "(datetime('now', '+3 years'))",
               "{now+10y}": "(datetime('now', '+10 years'))", "{1 day}": "'1 day'"},
}

# The live tables the aged ones are made LIKE, and the columns the aged ones drop.
_BILLABLE = [("id", "bigpk", ""), ("usr", "int", "NOT NULL"), ("xact_start", "ts", "NOT NULL DEFAULT {now}"),
             ("xact_finish", "ts", ""), ("unrecovered", "bool", "")]
_CIRCULATION = _BILLABLE + [
    ("target_copy", "bigint", "NOT NULL"), ("circ_lib", "int", "NOT NULL"), ("circ_staff", "int", "NOT NULL"),
    ("checkin_staff", "int", ""), ("checkin_lib", "int", ""), ("renewal_remaining", "int", "NOT NULL"),
    ("grace_period", "interval", "NOT NULL"), ("due_date", "ts", ""), ("stop_fines_time", "ts", ""),
    ("checkin_time", "ts", ""), ("create_time", "ts", "NOT NULL DEFAULT {now}"), ("duration", "interval", ""),
    ("fine_interval", "interval", "NOT NULL DEFAULT {1 day}"), ("recurring_fine", "num", ""), ("max_fine", "num", ""),
    ("phone_renewal", "bool", "NOT NULL DEFAULT FALSE"), ("desk_renewal", "bool", "NOT NULL DEFAULT FALSE"),
    ("opac_renewal", "bool", "NOT NULL DEFAULT FALSE"), ("duration_rule", "text", "NOT NULL"),
    ("recurring_fine_rule", "text", "NOT NULL"), ("max_fine_rule", "text", "NOT NULL"),
    ("stop_fines", "text", "CHECK (stop_fines IN ('CHECKIN', 'CLAIMSRETURNED', 'LOST', 'MAXFINES', 'RENEW', "
                           "'LONGOVERDUE', 'CLAIMSNEVERCHECKEDOUT'))"),
    ("workstation", "int", ""), ("checkin_workstation", "int", ""), ("copy_location", "int", "NOT NULL DEFAULT 1"),
    ("checkin_scan_time", "ts", ""), ("auto_renewal", "bool", "NOT NULL DEFAULT FALSE"),
    ("auto_renewal_remaining", "int", ""), ("parent_circ", "bigint", ""),
]
_HOLD = [
    ("id", "pk", ""), ("request_time", "ts", "NOT NULL DEFAULT {now}"), ("capture_time", "ts", ""),
    ("fulfillment_time", "ts", ""), ("checkin_time", "ts", ""), ("return_time", "ts", ""),
    ("prev_check_time", "ts", ""), ("expire_time", "ts", ""), ("cancel_time", "ts", ""),
    ("cancel_cause", "int", ""), ("cancel_note", "text", ""), ("canceled_by", "int", ""), ("canceling_ws", "int", ""),
    ("target", "bigint", "NOT NULL"), ("current_copy", "bigint", ""), ("fulfillment_staff", "int", ""),
    ("fulfillment_lib", "int", ""), ("request_lib", "int", "NOT NULL"), ("requestor", "int", "NOT NULL"),
    ("usr", "int", "NOT NULL"), ("selection_ou", "int", "NOT NULL"), ("selection_depth", "int", "NOT NULL DEFAULT 0"),
    ("pickup_lib", "int", "NOT NULL"), ("hold_type", "text", ""), ("holdable_formats", "text", ""),
    ("phone_notify", "text", ""), ("email_notify", "bool", "NOT NULL DEFAULT FALSE"), ("sms_notify", "text", ""),
    ("sms_carrier", "int", ""), ("frozen", "bool", "NOT NULL DEFAULT FALSE"), ("thaw_date", "ts", ""),
    ("shelf_time", "ts", ""), ("cut_in_line", "bool", ""), ("mint_condition", "bool", "NOT NULL DEFAULT TRUE"),
    ("shelf_expire_time", "ts", ""), ("current_shelf_lib", "int", ""),
    ("behind_desk", "bool", "NOT NULL DEFAULT FALSE"), ("hopeless_date", "ts", ""),
]


def _like(columns, *, drop=(), retype=None):
    """``LIKE`` a live table: every column but ``drop``, NOT NULL kept, defaults (and CHECKs) not; the key stays."""
    out = []
    for name, kind, extra in columns:
        if name in drop:
            continue
        if retype and name in retype:
            kind, extra = retype[name]
        else:
            kind = {"bigpk": "bigint", "pk": "int"}.get(kind, kind)
            extra = "NOT NULL" if "NOT NULL" in extra else ""
            if name == "id":  # the key again, without the live table's sequence
                extra = "PRIMARY KEY"
        out.append((name, kind, extra))
    return out


def _first_id(columns):
    return [c for c in columns if c[0] == "id"] + [c for c in columns if c[0] != "id"]


_AGED_USER = [("usr_post_code", "text", ""), ("usr_home_ou", "int", "NOT NULL"), ("usr_profile", "int", "NOT NULL"),
              ("usr_birth_year", "int", "")]

# table -> [(column, type, extra SQL)]: a fresh install of the newest supported release (see VERSIONS for the
# others). The extra is dialect-neutral but for the {tokens} of TOKENS.
TABLES: dict[str, list[tuple[str, str, str]]] = {
    "config.upgrade_log": [
        ("version", "textpk", ""), ("install_date", "ts", "NOT NULL DEFAULT {now}"), ("applied_to", "text", ""),
    ],
    "config.usr_setting_type": [
        ("name", "textpk", ""), ("opac_visible", "bool", "NOT NULL DEFAULT FALSE"), ("label", "text", "NOT NULL"),
        ("description", "text", ""), ("datatype", "text", "NOT NULL DEFAULT 'string'"),
    ],
    "config.global_flag": [
        ("name", "textpk", ""), ("value", "text", ""), ("enabled", "bool", "NOT NULL DEFAULT FALSE"),
        ("label", "text", "NOT NULL"),
    ],
    "permission.grp_tree": [
        ("id", "pk", ""), ("name", "text", "NOT NULL"), ("parent", "int", ""),
        ("usergroup", "bool", "NOT NULL DEFAULT TRUE"), ("perm_interval", "interval", "NOT NULL DEFAULT '3 years'"),
        ("description", "text", ""), ("application_perm", "text", ""), ("hold_priority", "int", "NOT NULL DEFAULT 0"),
    ],
    "actor.org_unit": [
        ("id", "pk", ""), ("parent_ou", "int", ""), ("ou_type", "int", "NOT NULL"),
        ("ill_address", "int", ""), ("holds_address", "int", ""), ("mailing_address", "int", ""),
        ("billing_address", "int", ""), ("shortname", "text", "NOT NULL"), ("name", "text", "NOT NULL"),
        ("email", "text", ""), ("phone", "text", ""), ("opac_visible", "bool", "NOT NULL DEFAULT TRUE"),
        ("fiscal_calendar", "int", "NOT NULL DEFAULT 1"),
    ],
    "actor.usr": [
        ("id", "pk", ""), ("card", "int", "UNIQUE"), ("profile", "int", "NOT NULL"),
        ("usrname", "text", "NOT NULL UNIQUE"), ("email", "text", ""), ("passwd", "text", ""),
        ("standing", "int", "NOT NULL DEFAULT 1"), ("ident_type", "int", "NOT NULL"), ("ident_value", "text", ""),
        ("ident_type2", "int", ""), ("ident_value2", "text", ""), ("net_access_level", "int", "NOT NULL DEFAULT 1"),
        ("photo_url", "text", ""), ("prefix", "text", ""), ("first_given_name", "text", "NOT NULL"),
        ("second_given_name", "text", ""), ("family_name", "text", "NOT NULL"), ("suffix", "text", ""),
        ("guardian", "text", ""), ("pref_prefix", "text", ""), ("pref_first_given_name", "text", ""),
        ("pref_second_given_name", "text", ""), ("pref_family_name", "text", ""), ("pref_suffix", "text", ""),
        ("name_keywords", "text", ""), ("name_kw_tsvector", "tsvector", ""), ("alias", "text", ""),
        ("day_phone", "text", ""), ("evening_phone", "text", ""), ("other_phone", "text", ""),
        ("mailing_address", "int", ""), ("billing_address", "int", ""), ("home_ou", "int", "NOT NULL"),
        ("dob", "date", ""), ("active", "bool", "NOT NULL DEFAULT TRUE"),
        ("master_account", "bool", "NOT NULL DEFAULT FALSE"), ("super_user", "bool", "NOT NULL DEFAULT FALSE"),
        ("barred", "bool", "NOT NULL DEFAULT FALSE"), ("deleted", "bool", "NOT NULL DEFAULT FALSE"),
        ("juvenile", "bool", "NOT NULL DEFAULT FALSE"), ("usrgroup", "serial", ""),
        ("claims_returned_count", "int", "NOT NULL DEFAULT 0"),
        ("credit_forward_balance", "num", "NOT NULL DEFAULT 0.00"),
        ("last_xact_id", "text", "NOT NULL DEFAULT 'none'"), ("create_date", "ts", "NOT NULL DEFAULT {now}"),
        ("expire_date", "ts", "NOT NULL DEFAULT {now+3y}"),
        ("claims_never_checked_out_count", "int", "NOT NULL DEFAULT 0"), ("last_update_time", "ts", ""),
        ("locale", "text", ""),
    ],
    "actor.usr_address": [
        ("id", "pk", ""), ("valid", "bool", "NOT NULL DEFAULT TRUE"),
        ("within_city_limits", "bool", "NOT NULL DEFAULT TRUE"), ("address_type", "text", "NOT NULL DEFAULT 'MAILING'"),
        ("usr", "int", "NOT NULL"), ("street1", "text", "NOT NULL"), ("street2", "text", ""),
        ("city", "text", "NOT NULL"), ("county", "text", ""), ("state", "text", ""),
        ("country", "text", "NOT NULL"), ("post_code", "text", "NOT NULL"),
        ("pending", "bool", "NOT NULL DEFAULT FALSE"), ("replaces", "int", ""),
    ],
    "actor.card": [
        ("id", "pk", ""), ("usr", "int", "NOT NULL"), ("barcode", "text", "NOT NULL UNIQUE"),
        ("active", "bool", "NOT NULL DEFAULT TRUE"),
    ],
    "actor.usr_setting": [
        # A user's own preferences, each value JSON text. The history opt-ins: history.circ.retention_start /
        # _age (either one makes Evergreen's trigger keep reading history), history.hold.retention_start / _age /
        # _count (the start is what action.purge_holds reads).
        ("id", "bigpk", ""), ("usr", "int", "NOT NULL"), ("name", "text", "NOT NULL"), ("value", "text", "NOT NULL"),
    ],
    "actor.usr_message": [
        ("id", "pk", ""), ("usr", "int", "NOT NULL"), ("title", "text", ""), ("message", "text", "NOT NULL"),
        ("create_date", "ts", "NOT NULL DEFAULT {now}"), ("deleted", "bool", "NOT NULL DEFAULT FALSE"),
        ("read_date", "ts", ""), ("sending_lib", "int", "NOT NULL"), ("pub", "bool", "NOT NULL DEFAULT FALSE"),
        ("stop_date", "ts", ""), ("editor", "bigint", ""), ("edit_date", "ts", ""),
    ],
    "actor.usr_activity": [
        ("id", "bigpk", ""), ("usr", "int", ""), ("etype", "int", "NOT NULL"),
        ("event_time", "ts", "NOT NULL DEFAULT {now}"), ("event_data", "text", ""),
    ],
    "biblio.record_entry": [
        ("id", "bigpk", ""), ("creator", "int", "NOT NULL DEFAULT 1"), ("editor", "int", "NOT NULL DEFAULT 1"),
        ("source", "int", ""), ("quality", "int", ""), ("create_date", "ts", "NOT NULL DEFAULT {now}"),
        ("edit_date", "ts", "NOT NULL DEFAULT {now}"), ("active", "bool", "NOT NULL DEFAULT TRUE"),
        ("deleted", "bool", "NOT NULL DEFAULT FALSE"), ("fingerprint", "text", ""), ("tcn_source", "text", ""),
        ("tcn_value", "text", ""), ("marc", "text", "NOT NULL"), ("last_xact_id", "text", "NOT NULL"),
        ("owner", "int", ""), ("share_depth", "int", ""),
    ],
    "reporter.materialized_simple_record": [
        ("id", "bigpk", ""), ("fingerprint", "text", ""), ("quality", "int", ""), ("tcn_source", "text", ""),
        ("tcn_value", "text", ""), ("title", "text", ""), ("author", "text", ""), ("publisher", "text", ""),
        ("pubdate", "text", ""), ("isbn", "text", ""), ("issn", "text", ""),
    ],
    "asset.call_number": [
        ("id", "bigpk", ""), ("creator", "bigint", "NOT NULL"), ("create_date", "ts", "DEFAULT {now}"),
        ("editor", "bigint", "NOT NULL"), ("edit_date", "ts", "DEFAULT {now}"), ("record", "bigint", "NOT NULL"),
        ("owning_lib", "int", "NOT NULL"), ("label", "text", "NOT NULL"), ("deleted", "bool", "NOT NULL DEFAULT FALSE"),
        ("prefix", "int", "NOT NULL DEFAULT -1"), ("suffix", "int", "NOT NULL DEFAULT -1"),
        ("label_class", "bigint", "NOT NULL"), ("label_sortkey", "text", ""),
    ],
    "asset.copy": [
        ("id", "bigpk", ""), ("circ_lib", "int", "NOT NULL"), ("creator", "bigint", "NOT NULL"),
        ("call_number", "bigint", "NOT NULL"), ("editor", "bigint", "NOT NULL"),
        ("create_date", "ts", "DEFAULT {now}"), ("edit_date", "ts", "DEFAULT {now}"), ("copy_number", "int", ""),
        ("status", "int", "NOT NULL DEFAULT 0"), ("location", "int", "NOT NULL DEFAULT 1"),
        ("loan_duration", "int", "NOT NULL"), ("fine_level", "int", "NOT NULL"), ("age_protect", "int", ""),
        ("circulate", "bool", "NOT NULL DEFAULT TRUE"), ("deposit", "bool", "NOT NULL DEFAULT FALSE"),
        ("ref", "bool", "NOT NULL DEFAULT FALSE"), ("holdable", "bool", "NOT NULL DEFAULT TRUE"),
        ("deposit_amount", "num", "NOT NULL DEFAULT 0.00"), ("price", "num", ""), ("barcode", "text", "NOT NULL"),
        ("circ_modifier", "text", ""), ("circ_as_type", "text", ""), ("dummy_title", "text", ""),
        ("dummy_author", "text", ""), ("alert_message", "text", ""), ("opac_visible", "bool", "NOT NULL DEFAULT TRUE"),
        ("deleted", "bool", "NOT NULL DEFAULT FALSE"), ("floating", "int", ""), ("dummy_isbn", "text", ""),
        ("status_changed_time", "ts", ""), ("active_date", "ts", ""),
        ("mint_condition", "bool", "NOT NULL DEFAULT TRUE"), ("cost", "num82", ""),
    ],
    "money.billable_xact": _BILLABLE,
    "action.circulation": _CIRCULATION,
    # (The key first: in Evergreen it comes after the demographics, as the first column LIKE the live table.)
    "action.aged_circulation": _first_id(_AGED_USER + [
        ("copy_call_number", "int", "NOT NULL"), ("copy_owning_lib", "int", "NOT NULL"),
        ("copy_circ_lib", "int", "NOT NULL"), ("copy_bib_record", "bigint", "NOT NULL"),
    ] + _like(_CIRCULATION, drop=("usr",))),
    "action.hold_request": _HOLD,
    "action.aged_hold_request": _first_id(_AGED_USER + [("staff_placed", "bool", "NOT NULL")] + _like(
        _HOLD, drop=("usr", "requestor", "sms_carrier"),
        retype={"phone_notify": ("bool", "NOT NULL"), "sms_notify": ("bool", "NOT NULL")})),
    "action.usr_circ_history": [
        ("id", "bigpk", ""), ("usr", "int", "NOT NULL"), ("xact_start", "ts", "NOT NULL DEFAULT {now}"),
        ("target_copy", "bigint", "NOT NULL"), ("due_date", "ts", "NOT NULL"), ("checkin_time", "ts", ""),
        ("source_circ", "bigint", ""),
    ],
    # -- the privacy map: other tables tying a user to what they read, asked for, listed or were told about
    "action.non_cataloged_circulation": [
        ("id", "pk", ""), ("patron", "int", "NOT NULL"), ("staff", "int", "NOT NULL"), ("circ_lib", "int", "NOT NULL"),
        ("item_type", "int", "NOT NULL"), ("circ_time", "ts", "NOT NULL DEFAULT {now}"),
    ],
    "action.in_house_use": [
        ("id", "pk", ""), ("item", "bigint", "NOT NULL"), ("staff", "int", "NOT NULL"), ("workstation", "int", ""),
        ("org_unit", "int", "NOT NULL"), ("use_time", "ts", "NOT NULL DEFAULT {now}"),
    ],
    "action.transit_copy": [
        ("id", "pk", ""), ("source_send_time", "ts", ""), ("dest_recv_time", "ts", ""),
        ("target_copy", "bigint", "NOT NULL"), ("source", "int", "NOT NULL"), ("dest", "int", "NOT NULL"),
        ("prev_hop", "int", ""), ("copy_status", "int", "NOT NULL"),
        ("persistant_transfer", "bool", "NOT NULL DEFAULT FALSE"), ("prev_dest", "int", ""), ("cancel_time", "ts", ""),
    ],
    "action.hold_notification": [
        ("id", "pk", ""), ("hold", "int", "NOT NULL"), ("notify_staff", "int", ""),
        ("notify_time", "ts", "NOT NULL DEFAULT {now}"), ("method", "text", "NOT NULL"), ("note", "text", ""),
    ],
    "action.survey_response": [
        ("id", "bigpk", ""), ("response_group_id", "int", ""), ("usr", "int", ""), ("survey", "int", "NOT NULL"),
        ("question", "int", "NOT NULL"), ("answer", "int", "NOT NULL"), ("answer_date", "ts", ""),
        ("effective_date", "ts", "NOT NULL DEFAULT {now}"),
    ],
    "action_trigger.hook": [
        ("key", "textpk", ""), ("core_type", "text", "NOT NULL"), ("description", "text", ""),
        ("passive", "bool", "NOT NULL DEFAULT FALSE"),
    ],
    "action_trigger.event_definition": [
        ("id", "pk", ""), ("active", "bool", "NOT NULL DEFAULT TRUE"), ("owner", "int", "NOT NULL"),
        ("name", "text", "NOT NULL"), ("hook", "text", "NOT NULL"), ("validator", "text", "NOT NULL"),
        ("reactor", "text", "NOT NULL"), ("delay", "interval", "NOT NULL DEFAULT '5 minutes'"),
        ("max_delay", "interval", ""), ("usr_field", "text", ""), ("opt_in_setting", "text", ""),
        ("delay_field", "text", ""), ("group_field", "text", ""), ("template", "text", ""),
        ("context_usr_path", "text", ""), ("context_library_path", "text", ""), ("context_bib_path", "text", ""),
        ("context_item_path", "text", ""), ("retention_interval", "interval", ""),
    ],
    "action_trigger.event": [
        ("id", "bigpk", ""), ("target", "bigint", "NOT NULL"), ("event_def", "int", ""),
        ("add_time", "ts", "NOT NULL DEFAULT {now}"), ("run_time", "ts", "NOT NULL"), ("start_time", "ts", ""),
        ("update_time", "ts", ""), ("complete_time", "ts", ""), ("update_process", "int", ""),
        ("state", "text", "NOT NULL DEFAULT 'pending'"), ("user_data", "text", ""), ("template_output", "bigint", ""),
        ("error_output", "bigint", ""), ("async_output", "bigint", ""), ("context_user", "int", ""),
        ("context_library", "int", ""), ("context_bib", "bigint", ""), ("context_item", "bigint", ""),
    ],
    "container.biblio_record_entry_bucket": [
        ("id", "pk", ""), ("owner", "int", "NOT NULL"), ("name", "text", "NOT NULL"),
        ("btype", "text", "NOT NULL DEFAULT 'misc'"), ("description", "text", ""),
        ("pub", "bool", "NOT NULL DEFAULT FALSE"), ("owning_lib", "int", ""),
        ("create_time", "ts", "NOT NULL DEFAULT {now}"),
    ],
    "container.biblio_record_entry_bucket_item": [
        ("id", "pk", ""), ("bucket", "int", "NOT NULL"), ("target_biblio_record_entry", "bigint", "NOT NULL"),
        ("pos", "int", ""), ("create_time", "ts", "NOT NULL DEFAULT {now}"),
    ],
    "booking.reservation": _BILLABLE + [
        ("request_time", "ts", "NOT NULL DEFAULT {now}"), ("start_time", "ts", ""), ("end_time", "ts", ""),
        ("capture_time", "ts", ""), ("cancel_time", "ts", ""), ("pickup_time", "ts", ""), ("return_time", "ts", ""),
        ("booking_interval", "interval", ""), ("fine_interval", "interval", ""), ("fine_amount", "num82", ""),
        ("max_fine", "num82", ""), ("target_resource_type", "int", "NOT NULL"), ("target_resource", "int", ""),
        ("current_resource", "int", ""), ("request_lib", "int", "NOT NULL"), ("pickup_lib", "int", ""),
        ("capture_staff", "int", ""), ("email_notify", "bool", "NOT NULL DEFAULT FALSE"), ("note", "text", ""),
    ],
    "acq.user_request": [
        ("id", "pk", ""), ("usr", "int", "NOT NULL"), ("hold", "bool", "NOT NULL DEFAULT TRUE"),
        ("pickup_lib", "int", "NOT NULL"), ("holdable_formats", "text", ""), ("phone_notify", "text", ""),
        ("email_notify", "bool", "NOT NULL DEFAULT TRUE"), ("lineitem", "int", ""), ("eg_bib", "bigint", ""),
        ("request_date", "ts", "NOT NULL DEFAULT {now}"), ("need_before", "ts", ""), ("max_fee", "text", ""),
        ("request_type", "int", "NOT NULL"), ("isxn", "text", ""), ("upc", "text", ""), ("title", "text", ""),
        ("volume", "text", ""), ("author", "text", ""), ("article_title", "text", ""), ("article_pages", "text", ""),
        ("publisher", "text", ""), ("location", "text", ""), ("pubdate", "text", ""), ("mentioned", "text", ""),
        ("other_info", "text", ""), ("cancel_reason", "int", ""), ("cancel_time", "ts", ""),
    ],
    "serial.routing_list_user": [
        ("id", "pk", ""), ("stream", "int", "NOT NULL"), ("pos", "int", "NOT NULL DEFAULT 1"), ("reader", "int", ""),
        ("department", "text", ""), ("note", "text", ""),
    ],
}
# auditor.actor_usr_history: Evergreen's audit copy of actor.usr (one row per UPDATE or DELETE, the old row).
TABLES["auditor.actor_usr_history"] = [
    ("audit_id", "bigint", "PRIMARY KEY"), ("audit_time", "ts", "NOT NULL"), ("audit_action", "text", "NOT NULL"),
    ("audit_user", "int", ""), ("audit_ws", "int", ""),
] + [(name, {"pk": "int", "serial": "int"}.get(kind, kind), "NOT NULL" if "NOT NULL" in extra else "")
     for name, kind, extra in TABLES["actor.usr"]]

# Named table constraints, as Evergreen declares them.
CONSTRAINTS = {"actor.usr_setting": ["CONSTRAINT usr_once_per_key UNIQUE (usr, name)"],
               "container.biblio_record_entry_bucket": [
                   "CONSTRAINT breb_name_once_per_owner UNIQUE (owner, name, btype)"]}

# On PostgreSQL these tables inherit a parent's leading columns, as in Evergreen.
INHERITS = {"action.circulation": "money.billable_xact", "booking.reservation": "money.billable_xact"}

# Evergreen releases this module can build: per release the newest point release (what config.upgrade_log names),
# its newest DB patch, the x.0 release's first and last patch, and how its tables differ from TABLES (columns
# missing, or added: (column, type, extra)). From the version-upgrade and upgrade scripts (see the facts file).
_BEFORE_3_8 = {"actor.usr": ("locale",), "actor.usr_message": ("pub", "stop_date", "editor", "edit_date"),
               "action_trigger.event": ("context_user", "context_library", "context_bib", "context_item"),
               "action_trigger.event_definition": ("context_usr_path", "context_library_path", "context_bib_path",
                                                   "context_item_path")}
_BEFORE_3_13 = {"action.hold_request": ("canceled_by", "canceling_ws"),
                "action.aged_hold_request": ("canceled_by", "canceling_ws")}
_PASSWD_NOT_NULL = {"actor.usr": [("passwd", "text", "NOT NULL")]}


def _merge(*maps):
    out: dict[str, tuple] = {}
    for m in maps:
        for table, cols in m.items():
            out[table] = tuple(out.get(table, ())) + tuple(cols)
    return out


VERSIONS: dict[str, dict] = {
    "3.7": {"point": "3.7.4", "patch": "1325", "first": "1247", "last": "1259",
            "missing": _merge(_BEFORE_3_8, _BEFORE_3_13),
            "changed": _PASSWD_NOT_NULL, "added": {"actor.usr": [("alert_message", "text", "")]},
            "event_context": False},
    "3.8": {"point": "3.8.4", "patch": "1378", "first": "1260", "last": "1306",
            "missing": _merge({"actor.usr": ("locale",)}, _BEFORE_3_13), "changed": _PASSWD_NOT_NULL},
    "3.9": {"point": "3.9.4", "patch": "1378", "first": "1307", "last": "1325", "missing": _BEFORE_3_13,
            "changed": _PASSWD_NOT_NULL},
    "3.10": {"point": "3.10.5", "patch": "1391", "first": "1326", "last": "1353", "missing": _BEFORE_3_13,
             "changed": _PASSWD_NOT_NULL},
    "3.11": {"point": "3.11.7", "patch": "1418", "first": "1354", "last": "1374", "missing": _BEFORE_3_13,
             "changed": _PASSWD_NOT_NULL},
    "3.12": {"point": "3.12.10", "patch": "1445", "first": "1375", "last": "1398", "missing": _BEFORE_3_13,
             "changed": _PASSWD_NOT_NULL},
    "3.13": {"point": "3.13.11", "patch": "1454", "first": "1405", "last": "1418", "changed": _PASSWD_NOT_NULL},
    "3.14": {"point": "3.14.12", "patch": "1519", "first": "1419", "last": "1444"},
    "3.15": {"point": "3.15.14", "patch": "1521", "first": "1450", "last": "1468"},
}
DEFAULT_VERSION = "3.15"

# Evergreen's own trigger and function names (retention.evergreen looks for the aging ones).
TRIGGERS = {
    "action_circulation_aging_tgr": ("action.circulation", "action.age_circ_on_delete"),
    "age_parent_circ": ("action.circulation", "action.age_parent_circ_on_delete"),
    "maintain_usr_circ_history_tgr": ("action.circulation", "action.maintain_usr_circ_history"),
    "action_hold_request_aging_tgr": ("action.hold_request", "action.age_hold_on_delete"),
}

# (index name, table, columns or expression, unique[, WHERE]) — Evergreen's names. ``evergreen.lowercase(x)`` is
# ``lower(x)`` on SQLite; ``evergreen.unaccent_and_squash`` indexes exist on PostgreSQL only.
INDEXES: list[tuple] = [
    ("actor_usr_home_ou_idx", "actor.usr", "home_ou", False),
    ("actor_usr_usrgroup_idx", "actor.usr", "usrgroup", False),
    ("actor_usr_mailing_address_idx", "actor.usr", "mailing_address", False),
    ("actor_usr_billing_address_idx", "actor.usr", "billing_address", False),
    *[(f"actor_usr_{c}_idx", "actor.usr", f"evergreen.lowercase({c})", False)
      for c in ("first_given_name", "second_given_name", "family_name", "guardian", "pref_first_given_name",
                "pref_second_given_name", "pref_family_name", "usrname", "email", "day_phone", "evening_phone",
                "other_phone", "ident_value", "ident_value2")],
    *[(f"actor_usr_{c}_unaccent_idx", "actor.usr", f"evergreen.unaccent_and_squash({c})", False)
      for c in ("first_given_name", "second_given_name", "family_name", "usrname", "guardian",
                "pref_first_given_name", "pref_second_given_name", "pref_family_name")],
    *[(f"actor_usr_{c}_idx_numeric", "actor.usr", f"evergreen.lowercase(regexp_replace({c}, '[^0-9]', '', 'g'))",
       False) for c in ("day_phone", "evening_phone", "other_phone")],
    ("actor_usr_addr_usr_idx", "actor.usr_address", "usr", False),
    *[(f"actor_usr_addr_{c}_idx", "actor.usr_address", f"evergreen.lowercase({c})", False)
      for c in ("street1", "street2", "city", "state", "post_code")],
    ("actor_card_usr_idx", "actor.card", "usr", False),
    ("actor_card_barcode_evergreen_lowercase_idx", "actor.card", "evergreen.lowercase(barcode)", False),
    ("actor_usr_setting_usr_idx", "actor.usr_setting", "usr", False),
    ("aum_usr", "actor.usr_message", "usr", False),
    ("usr_activity_usr_idx", "actor.usr_activity", "usr", False),
    ("cn_record_idx", "asset.call_number", "record", False),
    ("cp_cn_idx", "asset.copy", "call_number", False),
    ("copy_barcode_key", "asset.copy", "barcode", True, "deleted = FALSE OR deleted IS FALSE"),
    ("m_b_x_open_xacts_idx", "money.billable_xact", "usr", False),
    ("circ_open_xacts_idx", "action.circulation", "usr", False, "xact_finish IS NULL"),
    ("circ_outstanding_idx", "action.circulation", "usr", False, "checkin_time IS NULL"),
    ("circ_checkin_time", "action.circulation", "checkin_time", False, "checkin_time IS NOT NULL"),
    ("circ_circ_lib_idx", "action.circulation", "circ_lib", False),
    ("circ_open_date_idx", "action.circulation", "xact_start", False, "xact_finish IS NULL"),
    ("circ_all_usr_idx", "action.circulation", "usr", False),
    ("circ_circ_staff_idx", "action.circulation", "circ_staff", False),
    ("circ_checkin_staff_idx", "action.circulation", "checkin_staff", False),
    ("action_circulation_target_copy_idx", "action.circulation", "target_copy", False),
    ("circ_parent_idx", "action.circulation", "parent_circ", True, "parent_circ IS NOT NULL"),
    ("only_one_concurrent_checkout_per_copy", "action.circulation", "target_copy", True, "checkin_time IS NULL"),
    ("aged_circ_circ_lib_idx", "action.aged_circulation", "circ_lib", False),
    ("aged_circ_start_idx", "action.aged_circulation", "xact_start", False),
    ("aged_circ_copy_circ_lib_idx", "action.aged_circulation", "copy_circ_lib", False),
    ("aged_circ_copy_owning_lib_idx", "action.aged_circulation", "copy_owning_lib", False),
    ("aged_circ_copy_location_idx", "action.aged_circulation", "copy_location", False),
    ("action_aged_circulation_target_copy_idx", "action.aged_circulation", "target_copy", False),
    ("action_aged_circulation_parent_circ_idx", "action.aged_circulation", "parent_circ", False),
    ("hold_request_target_idx", "action.hold_request", "target", False),
    ("hold_request_usr_idx", "action.hold_request", "usr", False),
    ("hold_request_pickup_lib_idx", "action.hold_request", "pickup_lib", False),
    ("hold_request_current_copy_idx", "action.hold_request", "current_copy", False),
    ("hold_request_fulfillment_staff_idx", "action.hold_request", "fulfillment_staff", False),
    ("hold_request_requestor_idx", "action.hold_request", "requestor", False),
    ("hold_request_open_idx", "action.hold_request", "id", False, "cancel_time IS NULL AND fulfillment_time IS NULL"),
    ("hold_fulfillment_time_idx", "action.hold_request", "fulfillment_time", False, "fulfillment_time IS NOT NULL"),
    ("hold_request_time_idx", "action.hold_request", "request_time", False),
    ("hold_request_hopeless_date_idx", "action.hold_request", "hopeless_date", False),
    ("aged_hold_request_target_idx", "action.aged_hold_request", "target", False),
    ("aged_hold_request_pickup_lib_idx", "action.aged_hold_request", "pickup_lib", False),
    ("aged_hold_request_current_copy_idx", "action.aged_hold_request", "current_copy", False),
    ("aged_hold_request_fulfillment_staff_idx", "action.aged_hold_request", "fulfillment_staff", False),
    ("action_usr_circ_history_usr_idx", "action.usr_circ_history", "usr", False),
    ("action_usr_circ_history_source_circ_idx", "action.usr_circ_history", "source_circ", False),
    ("action_non_cat_circ_patron_idx", "action.non_cataloged_circulation", "patron", False),
    ("action_non_cat_circ_staff_idx", "action.non_cataloged_circulation", "staff", False),
    ("action_in_house_use_staff_idx", "action.in_house_use", "staff", False),
    ("active_transit_cp_idx", "action.transit_copy", "target_copy", False),
    ("ahn_hold_idx", "action.hold_notification", "hold", False),
    ("action_survey_response_usr_idx", "action.survey_response", "usr", False),
    ("atev_target_def_idx", "action_trigger.event", "target, event_def", False),
    ("atev_def_state", "action_trigger.event", "event_def, state", False),
    ("aur_usr_idx", "acq.user_request", "usr", False),
    ("aud_actor_usr_hist_id_idx", "auditor.actor_usr_history", "id", False),
]

# Foreign keys whose ON DELETE changes what a delete does, or that hold the history to its users and loans:
# (table, column, referenced table, ON DELETE action or ""), all DEFERRABLE INITIALLY DEFERRED as in Evergreen.
# PostgreSQL only (SQLite does not enforce them unless asked), made after loading (create_constraints).
FOREIGN_KEYS: list[tuple[str, str, str, str]] = [
    ("actor.card", "usr", "actor.usr", ""),
    ("actor.usr_address", "usr", "actor.usr", ""),
    ("actor.usr_setting", "usr", "actor.usr", "CASCADE"),
    ("actor.usr_activity", "usr", "actor.usr", "SET NULL"),
    ("action.circulation", "parent_circ", "action.circulation", ""),
    ("action.hold_request", "usr", "actor.usr", ""),
    ("action.usr_circ_history", "usr", "actor.usr", ""),
    ("action.usr_circ_history", "source_circ", "action.circulation", "SET NULL"),
    ("action.hold_notification", "hold", "action.hold_request", "CASCADE"),
    ("action.non_cataloged_circulation", "patron", "actor.usr", ""),
    ("container.biblio_record_entry_bucket", "owner", "actor.usr", "CASCADE"),
    ("container.biblio_record_entry_bucket_item", "bucket", "container.biblio_record_entry_bucket", "CASCADE"),
    ("container.biblio_record_entry_bucket_item", "target_biblio_record_entry", "biblio.record_entry", "CASCADE"),
    ("booking.reservation", "usr", "actor.usr", ""),
    ("acq.user_request", "usr", "actor.usr", ""),
    ("actor.usr_message", "usr", "actor.usr", ""),
    ("serial.routing_list_user", "reader", "actor.usr", "CASCADE"),
    ("action_trigger.event", "event_def", "action_trigger.event_definition", ""),
]
FOREIGN_KEYS_SINCE_3_8 = [("action_trigger.event", "context_user", "actor.usr", "")]

# config.usr_setting_type rows for the history opt-ins: (name, opac_visible, label, datatype), as Evergreen seeds them.
USR_SETTING_TYPES = [
    ("history.circ.retention_age", True, "Historical Circulation Retention Age", "interval"),
    ("history.circ.retention_start", False, "Historical Circulation Retention Start Date", "date"),
    ("history.hold.retention_age", True, "Historical Hold Retention Age", "interval"),
    ("history.hold.retention_start", True, "Historical Hold Retention Start Date", "interval"),
    ("history.hold.retention_count", True, "Historical Hold Retention Count", "integer"),
]
# config.global_flag rows of the history settings: (name, value, enabled), as Evergreen seeds them.
GLOBAL_FLAGS = [
    ("history.circ.retention_age", None, True), ("history.circ.retention_count", None, True),
    ("history.hold.retention_age", None, True), ("history.hold.retention_age_fulfilled", None, False),
    ("history.hold.retention_age_canceled", None, False),
    *[(f"history.hold.retention_age_canceled_{n}", None, False) for n in range(1, 7)],
    ("history.circ.retention_uses_last_finished", None, False), ("history.circ.retention_age_is_min", None, False),
    ("history.money.age_with_circs", None, False),
]


def version_info(version: str | None) -> dict:
    version = version or DEFAULT_VERSION
    if version not in VERSIONS:
        raise ValueError(f"unsupported Evergreen release {version!r}; supported: {', '.join(VERSIONS)}")
    return VERSIONS[version]


def columns_of(table: str, version: str | None = None) -> list[tuple[str, str, str]]:
    """The table's columns in a fresh install of ``version`` (column, type, extra)."""
    info = version_info(version)
    if table == "auditor.actor_usr_history":  # LIKE actor.usr, whatever the release's actor.usr is
        return TABLES[table][:5] + [(name, {"pk": "int", "serial": "int"}.get(kind, kind),
                                     "NOT NULL" if "NOT NULL" in extra or kind in ("pk", "serial") else "")
                                    for name, kind, extra in columns_of("actor.usr", version)]
    missing = set(info.get("missing", {}).get(table, ()))
    changed = {name: (name, kind, extra) for name, kind, extra in info.get("changed", {}).get(table, [])}
    out = [changed.get(name, (name, kind, extra)) for name, kind, extra in TABLES[table] if name not in missing]
    return out + list(info.get("added", {}).get(table, []))


def column_names(table: str, version: str | None = None) -> list[str]:
    return [name for name, _, _ in columns_of(table, version)]


def _spell(db: Database, extra: str) -> str:
    for token, sql in TOKENS[db.driver].items():
        extra = extra.replace(token, sql)
    return extra


def ddl(db: Database, table: str, version: str | None = None) -> str:
    types = TYPES[db.driver]
    cols = columns_of(table, version)
    parent = INHERITS.get(table) if db.driver == "postgresql" else None
    if parent:
        inherited = set(column_names(parent, version))
        cols = [c for c in cols if c[0] not in inherited]
    body = ", ".join([" ".join(filter(None, (name, types[kind], _spell(db, extra)))) for name, kind, extra in cols]
                     + CONSTRAINTS.get(table, []))
    if parent:
        return f"CREATE TABLE {db.table(table)} ({body}) INHERITS ({db.table(parent)})"
    return f"CREATE TABLE {db.table(table)} ({body})"


def reset_sequences(db: Database) -> None:
    """After loading rows with their ids (PostgreSQL): each id sequence past the highest id, the inherited ones
    (money.billable_xact's) past the highest of every table sharing it."""
    cursor = db.connection.cursor()
    sharing: dict[str, list[str]] = {}
    for table, cols in TABLES.items():
        if cols and cols[0][0] == "id" and cols[0][1] in ("pk", "bigpk"):
            sharing.setdefault(INHERITS.get(table, table), []).append(table)
    for owner, tables in sharing.items():
        highest = " UNION ALL ".join(f"SELECT MAX(id) AS id FROM ONLY {db.table(t)}" for t in tables)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{db.table(owner)}', 'id'), "
                       f"COALESCE((SELECT MAX(id) FROM ({highest}) ids), 0) + 1, false)")


def plperl_available(db: Database) -> bool:
    return bool(db.one("SELECT COUNT(*) FROM pg_available_extensions WHERE name = 'plperlu'")[0])


def create(db: Database, *, indexes: bool = True, triggers: bool | None = None, version: str | None = None,
           constraints: bool | None = None) -> None:
    """(Re)create every table (dropping what was there), with ``indexes`` their secondary indexes, and on
    PostgreSQL Evergreen's functions, the foreign keys (``constraints``, default: with ``indexes``) and the aging
    and reading-history triggers (``triggers``, default True on PostgreSQL). A bulk load should create with
    ``indexes=False, triggers=False`` and call :func:`create_indexes`, :func:`create_constraints` and
    :func:`create_triggers` afterwards, so that the triggers do not write rows the loader writes itself.

    ``db`` must be writable (``connect(settings, autocommit=False)``); the caller commits.
    """
    version_info(version)
    cursor = db.connection.cursor()
    if db.driver == "postgresql":
        for schema in SCHEMAS:
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA {schema}")
        create_functions(db)
    for table in TABLES:
        if db.driver != "postgresql":
            cursor.execute(f"DROP TABLE IF EXISTS {db.table(table)}")
        cursor.execute(ddl(db, table, version))
    if db.driver == "postgresql":
        for table in INHERITS:
            cursor.execute(f"ALTER TABLE {db.table(table)} ADD PRIMARY KEY (id)")
    seed(db, version)
    if indexes:
        create_indexes(db)
        if constraints is None or constraints:
            create_constraints(db, version)
    elif constraints:
        create_constraints(db, version)
    if db.driver == "postgresql" and (triggers is None or triggers):
        create_triggers(db, version)


def seed(db: Database, version: str | None = None) -> None:
    """The rows a fresh install has in the tables modelled here: history setting types, global flags, the upgrade
    log (:func:`seed_upgrade_log`) and the circulation and hold hooks of action_trigger."""
    cursor = db.connection.cursor()
    p = "%s" if db.driver == "postgresql" else "?"
    cursor.executemany(f"INSERT INTO {db.table('config.usr_setting_type')} (name, opac_visible, label, datatype) "
                       f"VALUES ({p}, {p}, {p}, {p})", USR_SETTING_TYPES)
    cursor.executemany(f"INSERT INTO {db.table('config.global_flag')} (name, value, enabled, label) "
                       f"VALUES ({p}, {p}, {p}, {p})", [(n, v, e, n) for n, v, e in GLOBAL_FLAGS])
    cursor.executemany(f"INSERT INTO {db.table('action_trigger.hook')} (key, core_type, description) "
                       f"VALUES ({p}, {p}, {p})",
                       [("checkout.due", "circ", "Checkout due date"), ("checkin", "circ", "Item checked in"),
                        ("hold.available", "ahr", "Hold is ready for pickup"), ("au.created", "au", "New user")])
    seed_upgrade_log(db, version)


def upgrade_log_rows(version: str | None = None, *, fresh: bool = False) -> list[tuple[str, str | None]]:
    """``config.upgrade_log`` as an install of ``version`` holds it: a fresh install has one row, its newest DB
    patch with ``applied_to`` NULL; an upgraded one (default) the row of the install it began as (3.7's first
    patch) and, for each release upgraded to, the release row ('3.8.0', '3.8.0') and its patches ('1260', '3.8.0');
    last the newest point release and its newest patch."""
    target = version or DEFAULT_VERSION
    info = version_info(target)
    if fresh:
        return [(info["patch"], None)]
    rows: list[tuple[str, str | None]] = [(str(int(VERSIONS["3.7"]["first"]) - 1), None)]
    for release, data in VERSIONS.items():
        name = f"{release}.0"
        rows.append((name, name))
        rows += [(str(n), name) for n in range(int(data["first"]), int(data["last"]) + 1)]
        if release == target:
            break
    seen = {v for v, _ in rows}
    if info["point"] not in seen:
        rows.append((info["point"], info["point"]))
    if info["patch"] not in seen:
        rows.append((info["patch"], info["point"]))
    return rows


def seed_upgrade_log(db: Database, version: str | None = None, *, fresh: bool = False) -> None:
    p = "%s" if db.driver == "postgresql" else "?"
    db.connection.cursor().executemany(
        f"INSERT INTO {db.table('config.upgrade_log')} (version, applied_to) VALUES ({p}, {p})",
        upgrade_log_rows(version, fresh=fresh))


def release_of(versions: list[str]) -> str | None:
    """The Evergreen release ('3.15') an install's ``config.upgrade_log.version`` values name: its newest release
    row, else (a fresh install) the release whose patches include its newest patch number."""
    releases = [v for v in versions if re.fullmatch(r"\d+\.\d+\.\d+", v or "")]
    if releases:
        newest = max(releases, key=lambda v: tuple(int(x) for x in v.split(".")))
        return ".".join(newest.split(".")[:2])
    patches = [int(v) for v in versions if (v or "").isdigit()]
    if not patches:
        return None
    top = max(patches)
    for release, data in reversed(VERSIONS.items()):
        if int(data["first"]) <= top:
            return release
    return None


def _index_sql(db: Database, spec: tuple) -> str | None:
    name, table, columns, unique, *where = spec
    if db.driver != "postgresql":
        if "unaccent_and_squash" in columns or "regexp_replace" in columns:
            return None
        columns = re.sub(r"evergreen\.lowercase\(", "lower(", columns)
        name = f"{db.table(table)}__{name}"
    sql = f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {db.table(table)} ({columns})"
    return sql + (f" WHERE {where[0]}" if where else "")


def create_indexes(db: Database) -> None:
    cursor = db.connection.cursor()
    for spec in INDEXES:
        sql = _index_sql(db, spec)
        if sql:
            cursor.execute(sql)


def create_constraints(db: Database, version: str | None = None) -> None:
    """The foreign keys of FOREIGN_KEYS (PostgreSQL; a no-op elsewhere)."""
    if db.driver != "postgresql":
        return
    keys = list(FOREIGN_KEYS)
    if "action_trigger.event" not in version_info(version).get("missing", {}):
        keys += FOREIGN_KEYS_SINCE_3_8
    cursor = db.connection.cursor()
    for table, column, target, on_delete in keys:
        action = f" ON DELETE {on_delete}" if on_delete else ""
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table.split('.')[1]}_{column}_fkey FOREIGN KEY "
                       f"({column}) REFERENCES {target} (id){action} DEFERRABLE INITIALLY DEFERRED")


# -- functions and triggers (PostgreSQL) ---------------------------------------------------------------------------

def create_functions(db: Database) -> None:
    """evergreen.lowercase, evergreen.unaccent_and_squash, oils_json_to_text and action.circ_chain."""
    cursor = db.connection.cursor()
    if plperl_available(db):
        cursor.execute("CREATE EXTENSION IF NOT EXISTS plperlu")
        cursor.execute("CREATE OR REPLACE FUNCTION evergreen.lowercase(TEXT) RETURNS TEXT AS $$ return lc(shift); "
                       "$$ LANGUAGE plperlu STRICT IMMUTABLE")
    else:  # Perl's lc folds every cased letter; so does lower() under an ICU collation, whatever the database locale
        cursor.execute("CREATE OR REPLACE FUNCTION evergreen.lowercase(TEXT) RETURNS TEXT AS "
                       "$$ SELECT lower($1 COLLATE \"und-x-icu\") $$ LANGUAGE sql STRICT IMMUTABLE PARALLEL SAFE")
    cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    # Squash: no white space or punctuation, no accents, lower case.
    cursor.execute("""CREATE OR REPLACE FUNCTION evergreen.unaccent_and_squash(arg TEXT) RETURNS TEXT
        IMMUTABLE STRICT LANGUAGE plpgsql AS $$
        BEGIN
            RETURN evergreen.lowercase(public.unaccent('public.unaccent'::regdictionary,
                                                       regexp_replace(arg, '[\\s[:punct:]]', '', 'g')));
        END $$""")
    # A JSON scalar as text; NULL when the text is not JSON (Evergreen's is PL/Perl, to the same effect).
    cursor.execute("""CREATE OR REPLACE FUNCTION public.oils_json_to_text(TEXT) RETURNS TEXT
        IMMUTABLE LANGUAGE plpgsql AS $$
        BEGIN
            RETURN $1::jsonb #>> '{}';
        EXCEPTION WHEN others THEN
            RETURN NULL;
        END $$""")


def _circ_chain_sql() -> str:
    # The renewal chain a circulation belongs to, first to last (the same rows as Evergreen's function).
    return """CREATE OR REPLACE FUNCTION action.circ_chain(ctx_circ_id BIGINT) RETURNS SETOF action.circulation
        LANGUAGE plpgsql AS $$
        DECLARE
            head BIGINT := ctx_circ_id;
            up BIGINT;
        BEGIN
            LOOP
                SELECT c.parent_circ INTO up FROM action.circulation c WHERE c.id = head;
                EXIT WHEN up IS NULL OR NOT EXISTS (SELECT 1 FROM action.circulation c WHERE c.id = up);
                head := up;
            END LOOP;
            RETURN QUERY WITH RECURSIVE chain (id, depth) AS (
                SELECT head, 0
                UNION ALL
                SELECT n.id, chain.depth + 1 FROM action.circulation n JOIN chain ON n.parent_circ = chain.id)
              SELECT c.* FROM chain JOIN action.circulation c ON c.id = chain.id ORDER BY chain.depth;
        END $$"""


def create_triggers(db: Database, version: str | None = None) -> None:
    """Evergreen's aging triggers on action.circulation and action.hold_request and its reading-history trigger,
    with Evergreen's names; our PL/pgSQL, the same behaviour (see the facts file, section 3)."""
    info = version_info(version)
    cursor = db.connection.cursor()
    cursor.execute(_circ_chain_sql())
    live = set(column_names("action.circulation", version))
    derived = {"usr_post_code": "COALESCE(ma.post_code, ba.post_code)", "usr_home_ou": "u.home_ou",
               "usr_profile": "u.profile", "usr_birth_year": "EXTRACT(YEAR FROM u.dob)::INT",
               "copy_call_number": "cp.call_number", "copy_owning_lib": "cn.owning_lib",
               "copy_circ_lib": "cp.circ_lib", "copy_bib_record": "cn.record"}
    aged = [c for c in column_names("action.aged_circulation", version) if c in derived or c in live]
    values = ", ".join(derived.get(c, f"OLD.{c}") for c in aged)
    unlink_events = """
            -- The circulation's notices no longer name the user.
            UPDATE action_trigger.event e SET context_user = NULL
             WHERE e.target = OLD.id AND e.context_user = OLD.usr AND e.event_def IN (
                   SELECT d.id FROM action_trigger.event_definition d
                     JOIN action_trigger.hook h ON h.key = d.hook WHERE h.core_type = 'circ');""" \
        if info.get("event_context", True) else ""
    cursor.execute(f"""CREATE OR REPLACE FUNCTION action.age_circ_on_delete() RETURNS TRIGGER LANGUAGE plpgsql AS $$
        BEGIN
            -- A circulation that was renewed waits for its renewal: deleting that ages the chain (age_parent_circ).
            IF EXISTS (SELECT 1 FROM action.circulation r WHERE r.parent_circ = OLD.id) THEN
                RETURN NULL;
            END IF;
            INSERT INTO action.aged_circulation ({', '.join(aged)})
            SELECT {values}
              FROM actor.usr u
              JOIN asset.copy cp ON cp.id = OLD.target_copy
              JOIN asset.call_number cn ON cn.id = cp.call_number
              LEFT JOIN actor.usr_address ma ON ma.id = u.mailing_address
              LEFT JOIN actor.usr_address ba ON ba.id = u.billing_address
             WHERE u.id = OLD.usr;{unlink_events}
            RETURN OLD;
        END $$""")
    cursor.execute("""CREATE OR REPLACE FUNCTION action.age_parent_circ_on_delete() RETURNS TRIGGER
        LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.parent_circ IS NOT NULL THEN
                DELETE FROM action.circulation WHERE id = OLD.parent_circ;
            END IF;
            RETURN OLD;
        END $$""")
    hold_live = set(column_names("action.hold_request", version))
    hold_derived = {"usr_post_code": "COALESCE(ma.post_code, ba.post_code)", "usr_home_ou": "u.home_ou",
                    "usr_profile": "u.profile", "usr_birth_year": "EXTRACT(YEAR FROM u.dob)::INT",
                    "staff_placed": "OLD.requestor <> OLD.usr",
                    "phone_notify": "COALESCE(OLD.phone_notify, '') <> ''",
                    "sms_notify": "COALESCE(OLD.sms_notify, '') <> ''"}
    skipped = {"hopeless_date", "canceled_by", "canceling_ws"}  # not in Evergreen's list: NULL in the aged row
    hold_aged = [c for c in column_names("action.aged_hold_request", version)
                 if c not in skipped and (c in hold_derived or c in hold_live)]
    hold_values = ", ".join(hold_derived.get(c, f"OLD.{c}") for c in hold_aged)
    cursor.execute(f"""CREATE OR REPLACE FUNCTION action.age_hold_on_delete() RETURNS TRIGGER LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO action.aged_hold_request ({', '.join(hold_aged)})
            SELECT {hold_values}
              FROM actor.usr u
              LEFT JOIN actor.usr_address ma ON ma.id = u.mailing_address
              LEFT JOIN actor.usr_address ba ON ba.id = u.billing_address
             WHERE u.id = OLD.usr;
            RETURN OLD;
        END $$""")
    cursor.execute("""CREATE OR REPLACE FUNCTION action.maintain_usr_circ_history() RETURNS TRIGGER
        LANGUAGE plpgsql AS $$
        DECLARE
            first_circ BIGINT;
            last_circ BIGINT;
            step BIGINT;
        BEGIN
            -- Opted in: any history.circ.retention_age or history.circ.retention_start setting (its value is never
            -- NULL, so any such row counts; the start date is not compared with the loan's).
            IF NOT EXISTS (SELECT 1 FROM actor.usr_setting s WHERE s.usr = NEW.usr AND s.value IS NOT NULL
                           AND s.name IN ('history.circ.retention_age', 'history.circ.retention_start')) THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'INSERT' AND NEW.parent_circ IS NULL THEN  -- a new loan: its history row
                INSERT INTO action.usr_circ_history (usr, xact_start, target_copy, due_date, source_circ)
                VALUES (NEW.usr, NEW.xact_start, NEW.target_copy, NEW.due_date, NEW.id);
                RETURN NEW;
            END IF;
            first_circ := NEW.id;  -- the chain's first circulation (whose parent, if any, was aged) ...
            LOOP
                SELECT c.parent_circ INTO step FROM action.circulation c WHERE c.id = first_circ;
                EXIT WHEN step IS NULL OR NOT EXISTS (SELECT 1 FROM action.circulation c WHERE c.id = step);
                first_circ := step;
            END LOOP;
            last_circ := NEW.id;  -- ... and its last
            LOOP
                SELECT c.id INTO step FROM action.circulation c WHERE c.parent_circ = last_circ;
                EXIT WHEN step IS NULL;
                last_circ := step;
            END LOOP;
            IF last_circ IS DISTINCT FROM NEW.id THEN  -- a circulation renewed since: the renewal speaks for it
                RETURN NEW;
            END IF;
            UPDATE action.usr_circ_history h SET due_date = NEW.due_date, checkin_time = NEW.checkin_time
             WHERE h.source_circ = first_circ
               AND (h.due_date <> NEW.due_date OR h.checkin_time IS DISTINCT FROM NEW.checkin_time);
            RETURN NEW;
        END $$""")
    cursor.execute("CREATE TRIGGER action_circulation_aging_tgr BEFORE DELETE ON action.circulation "
                   "FOR EACH ROW EXECUTE PROCEDURE action.age_circ_on_delete()")
    cursor.execute("CREATE TRIGGER age_parent_circ AFTER DELETE ON action.circulation "
                   "FOR EACH ROW EXECUTE PROCEDURE action.age_parent_circ_on_delete()")
    cursor.execute("CREATE TRIGGER maintain_usr_circ_history_tgr AFTER INSERT OR UPDATE ON action.circulation "
                   "FOR EACH ROW EXECUTE PROCEDURE action.maintain_usr_circ_history()")
    cursor.execute("CREATE TRIGGER action_hold_request_aging_tgr BEFORE DELETE ON action.hold_request "
                   "FOR EACH ROW EXECUTE PROCEDURE action.age_hold_on_delete()")
