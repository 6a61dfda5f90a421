"""A Koha-shaped database: the tables that tie a borrower to what they read, on MariaDB, SQLite or PostgreSQL.

The tables and columns follow Koha's ``kohastructure.sql`` (23.x) for what
the connector reads, plus a share of the columns a real Koha has and the
connector never reads (passwords, notes, alternate contacts, ...), so tests
prove it tolerates them. ``statistics`` has no primary key, as in Koha.
Foreign keys are left out: they slow the bulk load and the connector does not
rely on them.

Column types are written once as short codes and rendered per driver
(:data:`TYPES`). :func:`create` drops and creates every table with its
primary key; :func:`create_indexes` adds the secondary indexes (the
generator calls it after loading, which is faster than loading into them).
"""

from __future__ import annotations

from closedstacks.ils.connectors.db import ConnectionSettings, Database, connect

# code → DDL per driver. "pk" is an auto-increment integer primary key.
TYPES: dict[str, dict[str, str]] = {
    "mysql": {
        "pk": "INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY", "int": "INT(11)", "tinyint": "TINYINT(1)",
        "text": "MEDIUMTEXT", "longtext": "LONGTEXT", "date": "DATE", "datetime": "DATETIME",
        "timestamp": "TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP", "money": "DECIMAL(28,6)",
    },
    "sqlite": {
        "pk": "INTEGER PRIMARY KEY AUTOINCREMENT", "int": "INTEGER", "tinyint": "INTEGER", "text": "TEXT",
        "longtext": "TEXT", "date": "TEXT", "datetime": "TEXT", "timestamp": "TEXT DEFAULT CURRENT_TIMESTAMP",
        "money": "NUMERIC",
    },
    "postgresql": {
        "pk": "SERIAL PRIMARY KEY", "int": "INTEGER", "tinyint": "SMALLINT", "text": "TEXT", "longtext": "TEXT",
        "date": "DATE", "datetime": "TIMESTAMP", "timestamp": "TIMESTAMP DEFAULT CURRENT_TIMESTAMP",
        "money": "NUMERIC(28,6)",
    },
}

# table → [(column, type code[, extra DDL])]. "varchar:N" is VARCHAR(N) everywhere (TEXT on SQLite).
TABLES: dict[str, list[tuple]] = {
    "borrowers": [
        ("borrowernumber", "pk"), ("cardnumber", "varchar:32"), ("surname", "longtext"), ("firstname", "text"),
        ("middle_name", "longtext"), ("title", "longtext"), ("othernames", "longtext"), ("initials", "text"),
        ("pronouns", "longtext"), ("streetnumber", "varchar:10"), ("streettype", "varchar:50"),
        ("address", "longtext"), ("address2", "longtext"), ("city", "longtext"), ("state", "longtext"),
        ("zipcode", "varchar:25"), ("country", "longtext"), ("email", "longtext"), ("phone", "longtext"),
        ("mobile", "varchar:50"), ("fax", "longtext"), ("emailpro", "longtext"), ("phonepro", "longtext"),
        ("dateofbirth", "date"), ("branchcode", "varchar:10", "NOT NULL DEFAULT ''"),
        ("categorycode", "varchar:10", "NOT NULL DEFAULT ''"), ("dateenrolled", "date"), ("dateexpiry", "date"),
        ("date_renewed", "date"), ("gonenoaddress", "tinyint"), ("lost", "tinyint"), ("debarred", "date"),
        ("debarredcomment", "varchar:255"), ("contactname", "longtext"), ("contactfirstname", "text"),
        ("borrowernotes", "longtext"), ("sex", "varchar:1"), ("password", "varchar:60"), ("secret", "text"),
        ("auth_method", "varchar:16", "NOT NULL DEFAULT 'password'"), ("flags", "int"),
        ("userid", "varchar:75"), ("opacnote", "longtext"), ("contactnote", "varchar:255"),
        ("sort1", "varchar:80"), ("sort2", "varchar:80"), ("altcontactfirstname", "longtext"),
        ("altcontactsurname", "longtext"), ("altcontactaddress1", "longtext"), ("altcontactphone", "longtext"),
        ("smsalertnumber", "varchar:50"), ("sms_provider_id", "int"),
        ("privacy", "int", "NOT NULL DEFAULT 1"), ("privacy_guarantor_fines", "tinyint", "NOT NULL DEFAULT 0"),
        ("privacy_guarantor_checkouts", "tinyint", "NOT NULL DEFAULT 0"), ("checkprevcheckout", "varchar:7"),
        ("updated_on", "timestamp"), ("lastseen", "datetime"), ("lang", "varchar:25"),
        ("login_attempts", "int", "NOT NULL DEFAULT 0"), ("overdrive_auth_token", "text"),
        ("anonymized", "tinyint", "NOT NULL DEFAULT 0"), ("autorenew_checkouts", "tinyint", "NOT NULL DEFAULT 1"),
        ("primary_contact_method", "varchar:45"), ("protected", "tinyint", "DEFAULT 0"),
    ],
    "biblio": [
        ("biblionumber", "pk"), ("frameworkcode", "varchar:4", "NOT NULL DEFAULT ''"), ("author", "longtext"),
        ("title", "longtext"), ("medium", "longtext"), ("subtitle", "longtext"), ("part_number", "longtext"),
        ("part_name", "longtext"), ("unititle", "longtext"), ("notes", "longtext"), ("serial", "tinyint"),
        ("seriestitle", "longtext"), ("copyrightdate", "int"), ("timestamp", "timestamp"),
        ("datecreated", "date"), ("abstract", "longtext"),
    ],
    "items": [
        ("itemnumber", "pk"), ("biblionumber", "int", "NOT NULL DEFAULT 0"),
        ("biblioitemnumber", "int", "NOT NULL DEFAULT 0"), ("barcode", "varchar:20"), ("bookable", "tinyint"),
        ("dateaccessioned", "date"), ("booksellerid", "longtext"), ("homebranch", "varchar:10"),
        ("price", "money"), ("replacementprice", "money"), ("datelastborrowed", "date"),
        ("datelastseen", "datetime"), ("stack", "tinyint"), ("notforloan", "tinyint", "NOT NULL DEFAULT 0"),
        ("damaged", "tinyint", "NOT NULL DEFAULT 0"), ("itemlost", "tinyint", "NOT NULL DEFAULT 0"),
        ("withdrawn", "tinyint", "NOT NULL DEFAULT 0"), ("itemcallnumber", "varchar:255"),
        ("coded_location_qualifier", "varchar:10"), ("issues", "int", "DEFAULT 0"), ("renewals", "int"),
        ("reserves", "int"), ("restricted", "tinyint"), ("itemnotes", "longtext"),
        ("itemnotes_nonpublic", "longtext"), ("holdingbranch", "varchar:10"), ("timestamp", "timestamp"),
        ("location", "varchar:80"), ("permanent_location", "varchar:80"), ("onloan", "date"),
        ("cn_source", "varchar:10"), ("cn_sort", "varchar:255"), ("ccode", "varchar:80"),
        ("materials", "text"), ("uri", "text"), ("itype", "varchar:10"), ("more_subfields_xml", "longtext"),
        ("enumchron", "text"), ("copynumber", "varchar:32"), ("stocknumber", "varchar:32"),
        ("new_status", "varchar:32"),
    ],
    "issues": [
        ("issue_id", "pk"), ("borrowernumber", "int"), ("issuer_id", "int"), ("itemnumber", "int"),
        ("date_due", "datetime"), ("branchcode", "varchar:10"), ("returndate", "datetime"),
        ("checkin_library", "varchar:10"), ("lastreneweddate", "datetime"),
        ("renewals_count", "int", "NOT NULL DEFAULT 0"), ("unseen_renewals", "int", "NOT NULL DEFAULT 0"),
        ("auto_renew", "tinyint", "DEFAULT 0"), ("auto_renew_error", "varchar:32"), ("timestamp", "timestamp"),
        ("issuedate", "datetime"), ("onsite_checkout", "int", "NOT NULL DEFAULT 0"), ("note", "longtext"),
        ("notedate", "datetime"), ("noteseen", "int"),
    ],
    "reserves": [
        ("reserve_id", "pk"), ("borrowernumber", "int", "NOT NULL DEFAULT 0"), ("reservedate", "date"),
        ("biblionumber", "int", "NOT NULL DEFAULT 0"), ("item_group_id", "int"), ("branchcode", "varchar:10"),
        ("desk_id", "int"), ("notificationdate", "date"), ("reminderdate", "date"), ("cancellationdate", "date"),
        ("cancellation_reason", "varchar:80"), ("reservenotes", "longtext"), ("priority", "int", "NOT NULL DEFAULT 1"),
        ("found", "varchar:1"), ("timestamp", "timestamp"), ("itemnumber", "int"), ("waitingdate", "date"),
        ("expirationdate", "date"), ("patron_expiration_date", "date"),
        ("lowestPriority", "tinyint", "NOT NULL DEFAULT 0"),
        ("suspend", "tinyint", "NOT NULL DEFAULT 0"), ("suspend_until", "datetime"), ("itemtype", "varchar:10"),
        ("item_level_hold", "tinyint", "NOT NULL DEFAULT 0"), ("non_priority", "tinyint", "NOT NULL DEFAULT 0"),
    ],
    "statistics": [
        ("datetime", "datetime"), ("branch", "varchar:10"), ("value", "money"), ("type", "varchar:16"),
        ("other", "longtext"), ("itemnumber", "int"), ("itemtype", "varchar:10"), ("location", "varchar:80"),
        ("borrowernumber", "int"), ("ccode", "varchar:80"), ("categorycode", "varchar:10"),
        ("interface", "varchar:30"),
    ],
    "accountlines": [
        ("accountlines_id", "pk"), ("issue_id", "int"), ("borrowernumber", "int"), ("itemnumber", "int"),
        ("date", "timestamp"), ("amount", "money"), ("description", "longtext"),
        ("credit_type_code", "varchar:80"), ("debit_type_code", "varchar:80"), ("credit_number", "varchar:20"),
        ("status", "varchar:16"), ("payment_type", "varchar:80"), ("amountoutstanding", "money"),
        ("timestamp", "timestamp"), ("note", "text"), ("manager_id", "int"), ("register_id", "int"),
        ("interface", "varchar:16"), ("branchcode", "varchar:10"),
    ],
    "search_history": [
        ("id", "pk"), ("userid", "int", "NOT NULL"), ("sessionid", "varchar:32", "NOT NULL"),
        ("query_desc", "varchar:255", "NOT NULL"), ("query_cgi", "text", "NOT NULL"),
        ("type", "varchar:16", "NOT NULL DEFAULT 'biblio'"), ("total", "int", "NOT NULL"),
        ("time", "timestamp"),
    ],
    "items_last_borrower": [
        ("id", "pk"), ("itemnumber", "int", "NOT NULL"), ("borrowernumber", "int", "NOT NULL"),
        ("created_on", "timestamp"),
    ],
    "action_logs": [
        ("action_id", "pk"), ("timestamp", "timestamp"), ("user", "int", "NOT NULL DEFAULT 0"),
        ("module", "text"), ("action", "text"), ("object", "int"), ("info", "text"),
        ("interface", "varchar:30"), ("script", "varchar:255"), ("trace", "text"), ("diff", "longtext"),
    ],
    "checkout_renewals": [
        ("renewal_id", "pk"), ("checkout_id", "int"), ("renewer_id", "int"), ("seen", "tinyint", "DEFAULT 0"),
        ("interface", "varchar:16", "NOT NULL DEFAULT 'intranet'"), ("timestamp", "timestamp"),
        ("renewal_type", "varchar:9", "NOT NULL DEFAULT 'Manual'"),
    ],
    "systempreferences": [
        ("variable", "varchar:50", "NOT NULL PRIMARY KEY"), ("value", "longtext"), ("options", "longtext"),
        ("explanation", "text"), ("type", "varchar:20"),
    ],
}
# old_issues and old_reserves have the shape of issues and reserves; their ids are copied, not generated.
TABLES["old_issues"] = [("issue_id", "int", "NOT NULL PRIMARY KEY")] + TABLES["issues"][1:]
TABLES["old_reserves"] = [("reserve_id", "int", "NOT NULL PRIMARY KEY")] + TABLES["reserves"][1:]

# (index name, table, columns, unique) as Koha has them, created after loading: those on the user and date
# columns the connector filters by, and the unique ones. (Koha has more, on item and timestamp columns:
# left out to keep the bulk build fast; the connector does not need them.)
INDEXES: list[tuple[str, str, tuple[str, ...], bool]] = [
    ("cardnumber", "borrowers", ("cardnumber",), True),
    ("userid", "borrowers", ("userid",), True),
    ("borrowers_surname_idx", "borrowers", ("surname",), False),
    ("borrowers_firstname_idx", "borrowers", ("firstname",), False),
    ("items_barcode", "items", ("barcode",), True),
    ("items_biblionumber", "items", ("biblionumber",), False),
    ("issues_itemnumber", "issues", ("itemnumber",), True),
    ("issuesborridx", "issues", ("borrowernumber",), False),
    ("old_issuesborridx", "old_issues", ("borrowernumber",), False),
    ("old_issues_issuedate", "old_issues", ("issuedate",), False),
    ("reserves_borrowernumber", "reserves", ("borrowernumber",), False),
    ("reserves_biblionumber", "reserves", ("biblionumber",), False),
    ("old_reserves_borrowernumber", "old_reserves", ("borrowernumber",), False),
    ("old_reserves_biblionumber", "old_reserves", ("biblionumber",), False),
    ("statistics_borrowernumber", "statistics", ("borrowernumber",), False),
    ("accountlines_borrowernumber", "accountlines", ("borrowernumber",), False),
    ("search_history_userid", "search_history", ("userid",), False),
    ("items_last_borrower_itemnumber", "items_last_borrower", ("itemnumber",), True),
    ("items_last_borrower_borrowernumber", "items_last_borrower", ("borrowernumber",), False),
    ("checkout_renewals_checkout_id", "checkout_renewals", ("checkout_id",), False),
]

# Indexes a text column needs a prefix length for on MariaDB (Koha indexes surname(768) and so on).
PREFIX = {"surname": 191, "firstname": 191}


def quote(driver: str, name: str) -> str:
    return f"`{name}`" if driver == "mysql" else f'"{name}"'


def column_type(driver: str, code: str) -> str:
    if code.startswith("varchar:"):
        return "TEXT" if driver == "sqlite" else f"VARCHAR({code.split(':')[1]})"
    return TYPES[driver][code]


def table_ddl(driver: str, table: str, columns: list[tuple] | None = None) -> str:
    """``CREATE TABLE`` for one table (``columns`` overrides the standard ones, for tests)."""
    parts = []
    for column in columns if columns is not None else TABLES[table]:
        name, code, *extra = column
        parts.append(" ".join([quote(driver, name), column_type(driver, code), *extra]))
    suffix = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci" if driver == "mysql" else ""
    return f"CREATE TABLE {quote(driver, table)} (\n  " + ",\n  ".join(parts) + f"\n){suffix}"


def index_ddl(driver: str, name: str, table: str, columns: tuple[str, ...], unique: bool) -> str:
    cols = ", ".join(quote(driver, c) + (f"({PREFIX[c]})" if driver == "mysql" and c in PREFIX else "")
                     for c in columns)
    return f"CREATE {'UNIQUE ' if unique else ''}INDEX {quote(driver, name)} ON {quote(driver, table)} ({cols})"


def drop_ddl(driver: str, table: str) -> str:
    return f"DROP TABLE IF EXISTS {quote(driver, table)}" + (" CASCADE" if driver == "postgresql" else "")


def execute(db: Database, statements) -> None:
    cursor = db.connection.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()
    db.connection.commit()


def create(target: Database | ConnectionSettings, *, indexes: bool = True) -> None:
    """Drop and create every Koha table (and, unless ``indexes`` is false, the secondary indexes)."""
    if isinstance(target, ConnectionSettings):
        if target.driver == "sqlite":
            from pathlib import Path

            Path(target.database).touch()
        with connect(target, autocommit=False) as db:
            create(db, indexes=indexes)
        return
    driver = target.driver
    statements = [drop_ddl(driver, table) for table in TABLES]
    statements += [table_ddl(driver, table) for table in TABLES]
    if indexes:
        statements += [index_ddl(driver, *index) for index in INDEXES]
    execute(target, statements)


def create_indexes(db: Database) -> None:
    execute(db, [index_ddl(db.driver, *index) for index in INDEXES])
