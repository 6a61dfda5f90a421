"""A Koha-shaped database: the tables that tie a borrower to what they read, on MariaDB, SQLite or PostgreSQL.

The tables and columns follow Koha's ``installer/data/mysql/kohastructure.sql``
(facts and sources: ``/work/notes/koha-facts.md``): every column the connector
or retention reads or writes has Koha's type, NULL-ability, default and — on
MariaDB — ``ON UPDATE current_timestamp()`` clause (``accountlines.timestamp``,
``old_issues.timestamp``, ``old_reserves.timestamp``, ``borrowers.updated_on``,
``items.timestamp``, ...), so an ``UPDATE`` that does not name such a column
moves it, as it does in a real Koha. SQLite and PostgreSQL get the same columns
with ``DEFAULT CURRENT_TIMESTAMP`` (no ``ON UPDATE``: neither has it, and no
trigger emulates it). Besides, a share of the columns a real Koha has and the
connector never reads (passwords, notes, alternate contacts, ...), so tests
prove it tolerates them. ``statistics`` has no primary key, as in Koha.

Beyond the circulation tables there are ``categories`` (``category_type`` 'S'
is staff) and the other tables where Koha ties a borrower to what they read,
asked for, reviewed, tagged, listed or were sent (:data:`PRIVACY_MAP`).

Column types are written once as short codes and rendered per driver
(:func:`column_type`). :func:`create` drops and creates every table with its
primary key; :func:`create_indexes` adds Koha's secondary indexes on the user
and date columns and then, on MariaDB, Koha's foreign keys from those tables
to ``borrowers``, ``items`` and ``biblio`` with their ``ON DELETE`` /
``ON UPDATE`` actions (:data:`FOREIGN_KEYS`), added with
``foreign_key_checks=0`` so the rows already loaded are not re-checked (the
generator loads first, then calls it: much faster than loading into them).
Foreign keys to tables not modelled here (branches, itemtypes, clubs, letter,
...) are left out; SQLite and PostgreSQL get none.

:data:`VERSIONS` names the Koha releases this schema stands for and what each
lacks of the newest; ``create(..., version=...)`` builds that release's shape.
"""

from __future__ import annotations

from closedstacks.ils.connectors.db import ConnectionSettings, Database, connect

# code → DDL per driver. "pk" is an auto-increment integer primary key. The three timestamp codes carry their
# NULL-ability and default: "stamp" is Koha's last-changed column (DEFAULT and ON UPDATE current_timestamp()),
# "created" is set once (DEFAULT current_timestamp() only), "timestamp" is a nullable one (DEFAULT NULL).
TYPES: dict[str, dict[str, str]] = {
    "mysql": {
        "pk": "INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY",
        "bigpk": "BIGINT(20) UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY", "ubigint": "BIGINT(20) UNSIGNED",
        "int": "INT(11)", "smallint": "SMALLINT(6)", "tinyint": "TINYINT(1)", "tinyint4": "TINYINT(4)",
        "bigint": "BIGINT(11)", "tinytext": "TINYTEXT", "text": "TEXT", "mediumtext": "MEDIUMTEXT",
        "longtext": "LONGTEXT", "date": "DATE", "datetime": "DATETIME",
        "stamp": "TIMESTAMP NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()",
        "created": "TIMESTAMP NOT NULL DEFAULT current_timestamp()", "timestamp": "TIMESTAMP NULL DEFAULT NULL",
        "money": "DECIMAL(28,6)", "price": "DECIMAL(8,2)", "double": "DOUBLE(16,4)",
    },
    "sqlite": {
        "pk": "INTEGER PRIMARY KEY AUTOINCREMENT", "bigpk": "INTEGER PRIMARY KEY AUTOINCREMENT", "ubigint": "INTEGER",
        "int": "INTEGER", "smallint": "INTEGER", "tinyint": "INTEGER", "tinyint4": "INTEGER", "bigint": "INTEGER",
        "tinytext": "TEXT", "text": "TEXT", "mediumtext": "TEXT", "longtext": "TEXT", "date": "TEXT",
        "datetime": "TEXT", "stamp": "TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP",
        "created": "TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP", "timestamp": "TEXT DEFAULT NULL", "money": "NUMERIC",
        "price": "NUMERIC", "double": "REAL",
    },
    "postgresql": {
        "pk": "SERIAL PRIMARY KEY", "bigpk": "BIGSERIAL PRIMARY KEY", "ubigint": "BIGINT", "int": "INTEGER",
        "smallint": "SMALLINT", "tinyint": "SMALLINT", "tinyint4": "SMALLINT", "bigint": "BIGINT", "tinytext": "TEXT",
        "text": "TEXT", "mediumtext": "TEXT", "longtext": "TEXT", "date": "DATE", "datetime": "TIMESTAMP",
        "stamp": "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP",
        "created": "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP", "timestamp": "TIMESTAMP DEFAULT NULL",
        "money": "NUMERIC(28,6)", "price": "NUMERIC(8,2)", "double": "DOUBLE PRECISION",
    },
}

NN = "NOT NULL"

# table → [(column, type code[, extra DDL])]. "varchar:N" is VARCHAR(N) (TEXT on SQLite); "binvarchar:N" the
# same with a binary collation on MariaDB; "enum:a,b" is ENUM('a','b') on MariaDB, VARCHAR/TEXT elsewhere.
# A column's extra DDL is its NOT NULL and DEFAULT, in the SQL every driver shares.
TABLES: dict[str, list[tuple]] = {
    "categories": [
        ("categorycode", "varchar:10", "NOT NULL DEFAULT '' PRIMARY KEY"), ("description", "longtext"),
        ("enrolmentperiod", "smallint"), ("enrolmentperioddate", "date"), ("upperagelimit", "smallint"),
        ("dateofbirthrequired", "tinyint"), ("enrolmentfee", "money"), ("overduenoticerequired", "tinyint"),
        ("reservefee", "money"), ("hidelostitems", "tinyint", "NOT NULL DEFAULT 0"),
        ("category_type", "varchar:1", "NOT NULL DEFAULT 'A'"),
        ("BlockExpiredPatronOpacActions", "tinyint", "NOT NULL DEFAULT -1"),
        ("default_privacy", "enum:default,never,forever", "NOT NULL DEFAULT 'default'"),
        ("checkprevcheckout", "varchar:7", "NOT NULL DEFAULT 'inherit'"),
        ("can_be_guarantee", "tinyint", "NOT NULL DEFAULT 0"), ("reset_password", "tinyint"),
        ("change_password", "tinyint"), ("exclude_from_local_holds_priority", "tinyint"),
    ],
    "borrowers": [
        ("borrowernumber", "pk"), ("cardnumber", "varchar:32"), ("surname", "longtext"), ("firstname", "mediumtext"),
        ("middle_name", "longtext"), ("title", "longtext"), ("othernames", "longtext"), ("initials", "mediumtext"),
        ("pronouns", "longtext"), ("streetnumber", "tinytext"), ("streettype", "tinytext"),
        ("address", "longtext"), ("address2", "mediumtext"), ("city", "longtext"), ("state", "mediumtext"),
        ("zipcode", "tinytext"), ("country", "mediumtext"), ("email", "longtext"), ("phone", "mediumtext"),
        ("mobile", "tinytext"), ("fax", "longtext"), ("emailpro", "mediumtext"), ("phonepro", "mediumtext"),
        ("dateofbirth", "date"), ("branchcode", "varchar:10", "NOT NULL DEFAULT ''"),
        ("categorycode", "varchar:10", "NOT NULL DEFAULT ''"), ("dateenrolled", "date"), ("dateexpiry", "date"),
        ("password_expiration_date", "date"), ("date_renewed", "date"), ("gonenoaddress", "tinyint"),
        ("lost", "tinyint"), ("debarred", "date"), ("debarredcomment", "varchar:255"), ("contactname", "longtext"),
        ("contactfirstname", "mediumtext"), ("borrowernotes", "longtext"), ("relationship", "varchar:100"),
        ("sex", "varchar:1"), ("password", "varchar:60"), ("secret", "mediumtext"),
        ("auth_method", "enum:password,two-factor", "NOT NULL DEFAULT 'password'"), ("flags", "bigint"),
        ("userid", "varchar:75"), ("opacnote", "longtext"), ("contactnote", "varchar:255"),
        ("sort1", "varchar:80"), ("sort2", "varchar:80"), ("altcontactfirstname", "mediumtext"),
        ("altcontactsurname", "mediumtext"), ("altcontactaddress1", "mediumtext"), ("altcontactphone", "mediumtext"),
        ("smsalertnumber", "varchar:50"), ("sms_provider_id", "int"),
        ("privacy", "int", "NOT NULL DEFAULT 1"), ("privacy_guarantor_fines", "tinyint", "NOT NULL DEFAULT 0"),
        ("privacy_guarantor_checkouts", "tinyint", "NOT NULL DEFAULT 0"),
        ("checkprevcheckout", "varchar:7", "NOT NULL DEFAULT 'inherit'"), ("updated_on", "stamp"),
        ("lastseen", "datetime"), ("lang", "varchar:25", "NOT NULL DEFAULT 'default'"),
        ("login_attempts", "int", "NOT NULL DEFAULT 0"), ("overdrive_auth_token", "mediumtext"),
        ("anonymized", "tinyint", "NOT NULL DEFAULT 0"), ("autorenew_checkouts", "tinyint", "NOT NULL DEFAULT 1"),
        ("primary_contact_method", "varchar:45"), ("protected", "tinyint", "DEFAULT 0"),
    ],
    "biblio": [
        ("biblionumber", "pk"), ("frameworkcode", "varchar:4", "NOT NULL DEFAULT ''"), ("author", "longtext"),
        ("title", "longtext"), ("medium", "longtext"), ("subtitle", "longtext"), ("part_number", "longtext"),
        ("part_name", "longtext"), ("unititle", "longtext"), ("notes", "longtext"), ("serial", "tinyint"),
        ("seriestitle", "longtext"), ("copyrightdate", "smallint"), ("timestamp", "stamp"),
        ("datecreated", "date", NN), ("abstract", "longtext"),
    ],
    "items": [
        ("itemnumber", "pk"), ("biblionumber", "int", "NOT NULL DEFAULT 0"),
        ("biblioitemnumber", "int", "NOT NULL DEFAULT 0"), ("barcode", "varchar:20"), ("bookable", "tinyint"),
        ("dateaccessioned", "date"), ("booksellerid", "longtext"), ("homebranch", "varchar:10"),
        ("price", "price"), ("replacementprice", "price"), ("datelastborrowed", "date"),
        ("datelastseen", "datetime"), ("stack", "tinyint"), ("notforloan", "tinyint", "NOT NULL DEFAULT 0"),
        ("damaged", "tinyint", "NOT NULL DEFAULT 0"), ("itemlost", "tinyint", "NOT NULL DEFAULT 0"),
        ("withdrawn", "tinyint", "NOT NULL DEFAULT 0"), ("itemcallnumber", "varchar:255"),
        ("coded_location_qualifier", "varchar:10"), ("issues", "smallint", "DEFAULT 0"), ("renewals", "smallint"),
        ("reserves", "smallint"), ("restricted", "tinyint"), ("itemnotes", "longtext"),
        ("itemnotes_nonpublic", "longtext"), ("holdingbranch", "varchar:10"), ("timestamp", "stamp"),
        ("deleted_on", "datetime"), ("location", "varchar:80"), ("permanent_location", "varchar:80"),
        ("onloan", "date"), ("cn_source", "varchar:10"), ("cn_sort", "varchar:255"), ("ccode", "varchar:80"),
        ("materials", "mediumtext"), ("uri", "mediumtext"), ("itype", "varchar:10"),
        ("more_subfields_xml", "longtext"), ("enumchron", "mediumtext"), ("copynumber", "varchar:32"),
        ("stocknumber", "varchar:32"), ("new_status", "varchar:32"),
    ],
    "issues": [
        ("issue_id", "pk"), ("borrowernumber", "int", NN), ("issuer_id", "int"), ("itemnumber", "int", NN),
        ("date_due", "datetime"), ("branchcode", "varchar:10"), ("returndate", "datetime"),
        ("checkin_library", "varchar:10"), ("lastreneweddate", "datetime"),
        ("renewals_count", "tinyint4", "NOT NULL DEFAULT 0"), ("unseen_renewals", "tinyint4", "NOT NULL DEFAULT 0"),
        ("auto_renew", "tinyint", "DEFAULT 0"), ("auto_renew_error", "varchar:32"), ("timestamp", "stamp"),
        ("issuedate", "datetime"), ("onsite_checkout", "int", "NOT NULL DEFAULT 0"), ("note", "longtext"),
        ("notedate", "datetime"), ("noteseen", "int"),
    ],
    "reserves": [
        ("reserve_id", "pk"), ("borrowernumber", "int", "NOT NULL DEFAULT 0"), ("reservedate", "date"),
        ("biblionumber", "int", "NOT NULL DEFAULT 0"), ("item_group_id", "int"), ("branchcode", "varchar:10", NN),
        ("desk_id", "int"), ("notificationdate", "date"), ("reminderdate", "date"), ("cancellationdate", "date"),
        ("cancellation_reason", "varchar:80"), ("reservenotes", "longtext"),
        ("priority", "smallint", "NOT NULL DEFAULT 1"), ("found", "varchar:1"), ("timestamp", "stamp"),
        ("itemnumber", "int"), ("waitingdate", "date"), ("expirationdate", "date"),
        ("patron_expiration_date", "date"), ("lowestPriority", "tinyint", "NOT NULL DEFAULT 0"),
        ("suspend", "tinyint", "NOT NULL DEFAULT 0"), ("suspend_until", "datetime"), ("itemtype", "varchar:10"),
        ("item_level_hold", "tinyint", "NOT NULL DEFAULT 0"), ("non_priority", "tinyint", "NOT NULL DEFAULT 0"),
    ],
    "statistics": [
        ("datetime", "datetime"), ("branch", "varchar:10"), ("value", "double"), ("type", "varchar:16"),
        ("other", "longtext"), ("itemnumber", "int"), ("itemtype", "varchar:10"), ("location", "varchar:80"),
        ("borrowernumber", "int"), ("ccode", "varchar:80"), ("categorycode", "varchar:10"),
        ("interface", "varchar:30"),
    ],
    "accountlines": [
        ("accountlines_id", "pk"), ("issue_id", "int"), ("borrowernumber", "int"), ("itemnumber", "int"),
        ("date", "timestamp"), ("amount", "money"), ("description", "longtext"),
        ("credit_type_code", "varchar:80"), ("debit_type_code", "varchar:80"), ("credit_number", "varchar:20"),
        ("status", "varchar:16"), ("payment_type", "varchar:80"), ("amountoutstanding", "money"),
        ("timestamp", "stamp"), ("note", "mediumtext"), ("manager_id", "int"), ("register_id", "int"),
        ("interface", "varchar:16", NN), ("branchcode", "varchar:10"),
    ],
    "search_history": [
        ("id", "pk"), ("userid", "int", NN), ("sessionid", "varchar:32", NN),
        ("query_desc", "varchar:255", NN), ("query_cgi", "mediumtext", NN),
        ("type", "varchar:16", "NOT NULL DEFAULT 'biblio'"), ("total", "int", NN), ("time", "created"),
    ],
    "items_last_borrower": [
        ("id", "pk"), ("itemnumber", "int", NN), ("borrowernumber", "int", NN), ("created_on", "stamp"),
    ],
    "action_logs": [
        ("action_id", "pk"), ("timestamp", "created"), ("user", "int", "NOT NULL DEFAULT 0"),
        ("module", "mediumtext"), ("action", "mediumtext"), ("object", "int"), ("info", "mediumtext"),
        ("interface", "varchar:30"), ("script", "varchar:255"), ("trace", "text"), ("diff", "longtext"),
    ],
    "checkout_renewals": [
        ("renewal_id", "pk"), ("checkout_id", "int"), ("renewer_id", "int"), ("seen", "tinyint", "DEFAULT 0"),
        ("interface", "varchar:16", NN), ("timestamp", "created"),
        ("renewal_type", "enum:Automatic,Manual", "NOT NULL DEFAULT 'Manual'"),
    ],
    "systempreferences": [
        ("variable", "varchar:50", "NOT NULL DEFAULT '' PRIMARY KEY"), ("value", "mediumtext"),
        ("options", "longtext"), ("explanation", "mediumtext"), ("type", "varchar:20"),
    ],
    # -- the privacy map: the other tables that tie a borrower to what they read, asked for, said or were sent --
    "message_queue": [
        ("message_id", "pk"), ("letter_id", "int"), ("borrowernumber", "int"), ("subject", "mediumtext"),
        ("content", "mediumtext"), ("metadata", "mediumtext"), ("letter_code", "varchar:64"),
        ("message_transport_type", "varchar:20", NN),
        ("status", "enum:sent,pending,failed,deleted", "NOT NULL DEFAULT 'pending'"), ("time_queued", "timestamp"),
        ("updated_on", "stamp"), ("to_address", "longtext"), ("from_address", "longtext"),
        ("content_type", "mediumtext"), ("failure_code", "mediumtext"),
    ],
    "reviews": [
        ("reviewid", "pk"), ("borrowernumber", "int"), ("biblionumber", "int"), ("review", "mediumtext"),
        ("approved", "tinyint4", "DEFAULT 0"), ("datereviewed", "datetime"),
    ],
    "tags_all": [
        ("tag_id", "pk"), ("borrowernumber", "int"), ("biblionumber", "int", NN), ("term", "binvarchar:191", NN),
        ("language", "int"), ("date_created", "datetime", NN),
    ],
    "virtualshelves": [
        ("shelfnumber", "pk"), ("shelfname", "varchar:255"), ("owner", "int"),
        ("public", "tinyint", "NOT NULL DEFAULT 0"),
        ("sortfield", "varchar:16", "DEFAULT 'title'"), ("lastmodified", "stamp"), ("created_on", "datetime", NN),
        ("allow_change_from_owner", "tinyint", "DEFAULT 1"), ("allow_change_from_others", "tinyint", "DEFAULT 0"),
        ("allow_change_from_staff", "tinyint", "DEFAULT 0"),
    ],
    "virtualshelfcontents": [  # no primary key, as in Koha
        ("shelfnumber", "int", "NOT NULL DEFAULT 0"), ("biblionumber", "int", "NOT NULL DEFAULT 0"),
        ("flags", "int"), ("dateadded", "stamp"), ("borrowernumber", "int"),
    ],
    "virtualshelfshares": [
        ("id", "pk"), ("shelfnumber", "int", NN), ("borrowernumber", "int"), ("invitekey", "varchar:10"),
        ("sharedate", "datetime"),
    ],
    "suggestions": [
        ("suggestionid", "pk"), ("suggestedby", "int"), ("suggesteddate", "date", NN), ("managedby", "int"),
        ("manageddate", "date"), ("acceptedby", "int"), ("accepteddate", "date"), ("rejectedby", "int"),
        ("rejecteddate", "date"), ("lastmodificationby", "int"), ("lastmodificationdate", "date"),
        ("STATUS", "varchar:10", "NOT NULL DEFAULT ''"), ("archived", "tinyint", "NOT NULL DEFAULT 0"),
        ("note", "longtext"), ("staff_note", "longtext"), ("author", "varchar:80"), ("title", "varchar:255"),
        ("isbn", "varchar:30"), ("date", "stamp"), ("biblionumber", "int"), ("reason", "mediumtext"),
        ("patronreason", "mediumtext"), ("branchcode", "varchar:10"), ("itemtype", "varchar:30"),
    ],
    "illrequests": [
        ("illrequest_id", "bigpk"), ("borrowernumber", "int"), ("biblio_id", "int"), ("deleted_biblio_id", "int"),
        ("due_date", "datetime"), ("branchcode", "varchar:50", NN), ("status", "varchar:50"),
        ("status_alias", "varchar:80"), ("placed", "date"), ("replied", "date"), ("updated", "stamp"),
        ("completed", "date"), ("medium", "varchar:30"), ("accessurl", "varchar:500"), ("cost", "varchar:20"),
        ("price_paid", "varchar:20"), ("notesopac", "mediumtext"), ("notesstaff", "mediumtext"),
        ("orderid", "varchar:50"), ("backend", "varchar:20"),
    ],
    "article_requests": [
        ("id", "pk"), ("borrowernumber", "int", NN), ("biblionumber", "int", NN), ("itemnumber", "int"),
        ("branchcode", "varchar:10"), ("title", "mediumtext"), ("author", "mediumtext"), ("volume", "mediumtext"),
        ("issue", "mediumtext"), ("date", "mediumtext"), ("pages", "mediumtext"), ("chapters", "mediumtext"),
        ("patron_notes", "mediumtext"),
        ("status", "enum:REQUESTED,PENDING,PROCESSING,COMPLETED,CANCELED", "NOT NULL DEFAULT 'REQUESTED'"),
        ("notes", "mediumtext"), ("format", "enum:PHOTOCOPY,SCAN", "NOT NULL DEFAULT 'PHOTOCOPY'"),
        ("urls", "mediumtext"), ("cancellation_reason", "varchar:80"), ("debit_id", "int"),
        ("created_on", "timestamp"), ("updated_on", "stamp"), ("toc_request", "tinyint4", "NOT NULL DEFAULT 0"),
    ],
    "borrower_modifications": [  # primary key (verification_token(191), borrowernumber), as in Koha
        ("timestamp", "stamp"), ("verification_token", "varchar:255", "NOT NULL DEFAULT ''"),
        ("changed_fields", "mediumtext"), ("borrowernumber", "int", "NOT NULL DEFAULT 0"),
        ("cardnumber", "varchar:32"), ("surname", "longtext"), ("firstname", "mediumtext"), ("address", "longtext"),
        ("city", "longtext"), ("zipcode", "varchar:25"), ("email", "longtext"), ("phone", "mediumtext"),
        ("dateofbirth", "date"), ("branchcode", "varchar:10"), ("categorycode", "varchar:10"),
        ("privacy", "int"), ("extended_attributes", "mediumtext"),
    ],
    "pseudonymized_transactions": [
        ("id", "pk"), ("hashed_borrowernumber", "varchar:60", NN), ("has_cardnumber", "tinyint", "NOT NULL DEFAULT 0"),
        ("title", "longtext"), ("city", "longtext"), ("state", "mediumtext"), ("zipcode", "varchar:25"),
        ("country", "mediumtext"), ("branchcode", "varchar:10", "NOT NULL DEFAULT ''"),
        ("categorycode", "varchar:10", "NOT NULL DEFAULT ''"), ("dateenrolled", "date"), ("sex", "varchar:1"),
        ("sort1", "varchar:80"), ("sort2", "varchar:80"), ("datetime", "datetime"),
        ("transaction_branchcode", "varchar:10"), ("transaction_type", "varchar:16"), ("itemnumber", "int"),
        ("itemtype", "varchar:10"), ("holdingbranch", "varchar:10"), ("homebranch", "varchar:10"),
        ("location", "varchar:80"), ("itemcallnumber", "varchar:255"), ("ccode", "varchar:80"),
    ],
    "recalls": [
        ("recall_id", "pk"), ("patron_id", "int", "NOT NULL DEFAULT 0"), ("created_date", "datetime"),
        ("biblio_id", "int", NN), ("pickup_library_id", "varchar:10"), ("completed_date", "datetime"),
        ("notes", "mediumtext"), ("priority", "smallint"),
        ("status", "enum:requested,overdue,waiting,in_transit,cancelled,expired,fulfilled", "DEFAULT 'requested'"),
        ("timestamp", "stamp"), ("item_id", "int"), ("waiting_date", "datetime"), ("expiration_date", "datetime"),
        ("completed", "tinyint", "NOT NULL DEFAULT 0"), ("item_level", "tinyint", "NOT NULL DEFAULT 0"),
    ],
    "linktracker": [
        ("id", "pk"), ("biblionumber", "int"), ("itemnumber", "int"), ("borrowernumber", "int"),
        ("url", "mediumtext"), ("timeclicked", "datetime"),
    ],
    "club_enrollments": [
        ("id", "pk"), ("club_id", "int", NN), ("borrowernumber", "int", NN), ("date_enrolled", "created"),
        ("date_canceled", "timestamp"), ("date_created", "timestamp"), ("date_updated", "timestamp"),
        ("branchcode", "varchar:10"),
    ],
}
# old_issues and old_reserves have the shape of issues and reserves, their ids copied, not generated; Koha makes
# their user and item nullable (set to NULL when the borrower or item is deleted).
_NULLABLE = {"borrowernumber": "int", "itemnumber": "int", "biblionumber": "int"}
TABLES["old_issues"] = [("issue_id", "int", "NOT NULL PRIMARY KEY")] + [
    (c[0], _NULLABLE[c[0]]) if c[0] in _NULLABLE else c for c in TABLES["issues"][1:]]
TABLES["old_reserves"] = [("reserve_id", "int", "NOT NULL PRIMARY KEY")] + [
    (c[0], _NULLABLE[c[0]]) if c[0] in _NULLABLE else ("branchcode", "varchar:10") if c[0] == "branchcode" else c
    for c in TABLES["reserves"][1:]]
# deletedborrowers: the rows of deleted patrons, moved there whole (no primary key, borrowernumber not generated).
TABLES["deletedborrowers"] = [("borrowernumber", "int", "NOT NULL DEFAULT 0")] + TABLES["borrowers"][1:]

# Tables without a primary key of their own and what Koha keys them by instead (created with the table).
TABLE_KEYS = {"borrower_modifications": ("verification_token", "borrowernumber")}

# Koha's privacy map: table → (the column(s) naming the patron, the column that dates the row, what Koha's own
# cleanup does to it). The connector and retention read the first block; the rest are there to be found.
PRIVACY_MAP: dict[str, tuple[tuple[str, ...], str, str]] = {
    "old_issues": (("borrowernumber",), "returndate", "batch_anonymise.pl: borrowernumber → AnonymousPatron"),
    "old_reserves": (("borrowernumber",), "timestamp", "batch_anonymise.pl (newer): → AnonymousPatron"),
    "issues": (("borrowernumber",), "issuedate", "none (current loans)"),
    "reserves": (("borrowernumber",), "reservedate", "none (current holds)"),
    "accountlines": (("borrowernumber", "manager_id"), "timestamp", "none"),
    "statistics": (("borrowernumber",), "datetime", "cleanup_database.pl --statistics DAYS deletes (newer)"),
    "search_history": (("userid",), "time", "cleanup_database.pl --searchhistory DAYS deletes"),
    "items_last_borrower": (("borrowernumber",), "created_on", "anonymize_last_borrowers.pl / StoreLastBorrower"),
    "checkout_renewals": (("renewer_id",), "timestamp", "self-renewals → AnonymousPatron with the loan"),
    "action_logs": (("user", "object"), "timestamp", "cleanup_database.pl --logs DAYS deletes"),
    "message_queue": (("borrowernumber",), "time_queued", "cleanup_database.pl --mail DAYS deletes"),
    "reviews": (("borrowernumber",), "datereviewed", "none"),
    "tags_all": (("borrowernumber",), "date_created", "none"),
    "virtualshelves": (("owner",), "created_on", "none"),
    "virtualshelfcontents": (("borrowernumber",), "dateadded", "none"),
    "virtualshelfshares": (("borrowernumber",), "sharedate", "cleanup_database.pl --list-invites DAYS (unaccepted)"),
    "suggestions": (("suggestedby", "managedby", "acceptedby", "rejectedby", "lastmodificationby"), "suggesteddate",
                    "purge_suggestions.pl deletes by age and status"),
    "illrequests": (("borrowernumber",), "placed", "none"),
    "article_requests": (("borrowernumber",), "created_on", "none"),
    "borrower_modifications": (("borrowernumber",), "timestamp", "delete_unverified_opac_registrations.pl (part)"),
    "pseudonymized_transactions": ((), "datetime", "cleanup_database.pl --pseudo-transactions DAYS deletes (newer)"),
    "recalls": (("patron_id",), "created_date", "none"),
    "linktracker": (("borrowernumber",), "timeclicked", "none"),
    "club_enrollments": (("borrowernumber",), "date_enrolled", "none"),
    "deletedborrowers": (("borrowernumber",), "updated_on", "cleanup_database.pl --deleted-patrons DAYS (newer)"),
}

# (index name, table, columns, unique) as Koha has them, created after loading: those on the user and date
# columns, and the unique ones. (Koha has more, on branch, item type and text columns: left out to keep the
# bulk build fast.)
INDEXES: list[tuple[str, str, tuple[str, ...], bool]] = [
    ("cardnumber", "borrowers", ("cardnumber",), True),
    ("userid", "borrowers", ("userid",), True),
    ("borrowers_categorycode", "borrowers", ("categorycode",), False),
    ("borrowers_surname_idx", "borrowers", ("surname",), False),
    ("borrowers_firstname_idx", "borrowers", ("firstname",), False),
    ("items_barcode", "items", ("barcode",), True),
    ("items_biblionumber", "items", ("biblionumber",), False),
    ("issues_itemnumber", "issues", ("itemnumber",), True),
    ("issuesborridx", "issues", ("borrowernumber",), False),
    ("issues_issuer_id", "issues", ("issuer_id",), False),
    ("old_issuesborridx", "old_issues", ("borrowernumber",), False),
    ("old_issuesitemidx", "old_issues", ("itemnumber",), False),
    ("old_issues_issuer_id", "old_issues", ("issuer_id",), False),
    ("old_bordate", "old_issues", ("borrowernumber", "timestamp"), False),
    ("old_issues_issuedate", "old_issues", ("issuedate",), False),
    ("reserves_borrowernumber", "reserves", ("borrowernumber",), False),
    ("reserves_biblionumber", "reserves", ("biblionumber",), False),
    ("reserves_itemnumber", "reserves", ("itemnumber",), False),
    ("old_reserves_borrowernumber", "old_reserves", ("borrowernumber",), False),
    ("old_reserves_biblionumber", "old_reserves", ("biblionumber",), False),
    ("old_reserves_itemnumber", "old_reserves", ("itemnumber",), False),
    ("statistics_timeidx", "statistics", ("datetime",), False),
    ("statistics_borrowernumber", "statistics", ("borrowernumber",), False),
    ("acctsborridx", "accountlines", ("borrowernumber",), False),
    ("accountlines_timeidx", "accountlines", ("timestamp",), False),
    ("accountlines_itemnumber", "accountlines", ("itemnumber",), False),
    ("accountlines_manager_id", "accountlines", ("manager_id",), False),
    ("search_history_userid", "search_history", ("userid",), False),
    ("search_history_sessionid", "search_history", ("sessionid",), False),
    ("items_last_borrower_itemnumber", "items_last_borrower", ("itemnumber",), True),
    ("items_last_borrower_borrowernumber", "items_last_borrower", ("borrowernumber",), False),
    ("action_logs_timestamp_idx", "action_logs", ("timestamp",), False),
    ("action_logs_user_idx", "action_logs", ("user",), False),
    ("action_logs_object_idx", "action_logs", ("object",), False),
    ("checkout_renewals_checkout_id", "checkout_renewals", ("checkout_id",), False),
    ("checkout_renewals_renewer_id", "checkout_renewals", ("renewer_id",), False),
    ("message_queue_borrowernumber", "message_queue", ("borrowernumber",), False),
    ("reviews_borrowernumber", "reviews", ("borrowernumber",), False),
    ("reviews_biblionumber", "reviews", ("biblionumber",), False),
    ("tags_borrowers_fk_1", "tags_all", ("borrowernumber",), False),
    ("tags_biblionumber_fk_1", "tags_all", ("biblionumber",), False),
    ("virtualshelves_owner", "virtualshelves", ("owner",), False),
    ("virtualshelfcontents_shelfnumber", "virtualshelfcontents", ("shelfnumber",), False),
    ("virtualshelfcontents_biblionumber", "virtualshelfcontents", ("biblionumber",), False),
    ("shelfcontents_borrowernumber", "virtualshelfcontents", ("borrowernumber",), False),
    ("virtualshelfshares_shelfnumber", "virtualshelfshares", ("shelfnumber",), False),
    ("virtualshelfshares_borrowernumber", "virtualshelfshares", ("borrowernumber",), False),
    ("suggestions_suggestedby", "suggestions", ("suggestedby",), False),
    ("suggestions_managedby", "suggestions", ("managedby",), False),
    ("suggestions_acceptedby", "suggestions", ("acceptedby",), False),
    ("suggestions_rejectedby", "suggestions", ("rejectedby",), False),
    ("suggestions_lastmodificationby", "suggestions", ("lastmodificationby",), False),
    ("suggestions_biblionumber", "suggestions", ("biblionumber",), False),
    ("illrequests_bnfk", "illrequests", ("borrowernumber",), False),
    ("illrequests_bibfk", "illrequests", ("biblio_id",), False),
    ("article_requests_borrowernumber", "article_requests", ("borrowernumber",), False),
    ("article_requests_biblionumber", "article_requests", ("biblionumber",), False),
    ("article_requests_itemnumber", "article_requests", ("itemnumber",), False),
    ("borrower_modifications_borrowernumber", "borrower_modifications", ("borrowernumber",), False),
    ("recalls_patron_id", "recalls", ("patron_id",), False),
    ("recalls_biblio_id", "recalls", ("biblio_id",), False),
    ("recalls_item_id", "recalls", ("item_id",), False),
    ("linktracker_borridx", "linktracker", ("borrowernumber",), False),
    ("linktracker_dateidx", "linktracker", ("timeclicked",), False),
    ("linktracker_bibidx", "linktracker", ("biblionumber",), False),
    ("linktracker_itemidx", "linktracker", ("itemnumber",), False),
    ("club_enrollments_borrowernumber", "club_enrollments", ("borrowernumber",), False),
    ("deletedborrowers_borrowernumber", "deletedborrowers", ("borrowernumber",), False),
    ("deletedborrowers_cardnumber", "deletedborrowers", ("cardnumber",), False),
]

# Koha's foreign keys among the modelled tables, as (name, table, columns, referenced table, referenced columns,
# ON DELETE, ON UPDATE) — "" is Koha's default, RESTRICT. Added on MariaDB only, after loading.
B, IT, T = "borrowers", "items", "biblio"
FOREIGN_KEYS: list[tuple[str, str, tuple[str, ...], str, tuple[str, ...], str, str]] = [
    ("borrowers_ibfk_1", B, ("categorycode",), "categories", ("categorycode",), "", ""),
    ("items_ibfk_4", IT, ("biblionumber",), T, ("biblionumber",), "CASCADE", "CASCADE"),
    ("issues_ibfk_1", "issues", ("borrowernumber",), B, ("borrowernumber",), "", "CASCADE"),
    ("issues_ibfk_2", "issues", ("itemnumber",), IT, ("itemnumber",), "", "CASCADE"),
    ("issues_ibfk_borrowers_borrowernumber", "issues", ("issuer_id",), B, ("borrowernumber",), "SET NULL", "CASCADE"),
    ("old_issues_ibfk_1", "old_issues", ("borrowernumber",), B, ("borrowernumber",), "SET NULL", "SET NULL"),
    ("old_issues_ibfk_2", "old_issues", ("itemnumber",), IT, ("itemnumber",), "SET NULL", "SET NULL"),
    ("old_issues_ibfk_borrowers_borrowernumber", "old_issues", ("issuer_id",), B, ("borrowernumber",), "SET NULL",
     "CASCADE"),
    ("reserves_ibfk_1", "reserves", ("borrowernumber",), B, ("borrowernumber",), "CASCADE", "CASCADE"),
    ("reserves_ibfk_2", "reserves", ("biblionumber",), T, ("biblionumber",), "CASCADE", "CASCADE"),
    ("reserves_ibfk_3", "reserves", ("itemnumber",), IT, ("itemnumber",), "CASCADE", "CASCADE"),
    ("old_reserves_ibfk_1", "old_reserves", ("borrowernumber",), B, ("borrowernumber",), "SET NULL", "SET NULL"),
    ("old_reserves_ibfk_2", "old_reserves", ("biblionumber",), T, ("biblionumber",), "SET NULL", "SET NULL"),
    ("old_reserves_ibfk_3", "old_reserves", ("itemnumber",), IT, ("itemnumber",), "SET NULL", "SET NULL"),
    ("accountlines_ibfk_borrowers", "accountlines", ("borrowernumber",), B, ("borrowernumber",), "SET NULL",
     "CASCADE"),
    ("accountlines_ibfk_borrowers_2", "accountlines", ("manager_id",), B, ("borrowernumber",), "SET NULL", "CASCADE"),
    ("accountlines_ibfk_items", "accountlines", ("itemnumber",), IT, ("itemnumber",), "SET NULL", "CASCADE"),
    ("items_last_borrower_ibfk_1", "items_last_borrower", ("itemnumber",), IT, ("itemnumber",), "CASCADE", "CASCADE"),
    ("items_last_borrower_ibfk_2", "items_last_borrower", ("borrowernumber",), B, ("borrowernumber",), "CASCADE",
     "CASCADE"),
    ("renewals_renewer_id", "checkout_renewals", ("renewer_id",), B, ("borrowernumber",), "SET NULL", "CASCADE"),
    ("messageq_ibfk_1", "message_queue", ("borrowernumber",), B, ("borrowernumber",), "CASCADE", "CASCADE"),
    ("reviews_ibfk_1", "reviews", ("borrowernumber",), B, ("borrowernumber",), "SET NULL", "CASCADE"),
    ("reviews_ibfk_2", "reviews", ("biblionumber",), T, ("biblionumber",), "CASCADE", "CASCADE"),
    ("tags_borrowers_fk_1", "tags_all", ("borrowernumber",), B, ("borrowernumber",), "SET NULL", "CASCADE"),
    ("tags_biblionumber_fk_1", "tags_all", ("biblionumber",), T, ("biblionumber",), "CASCADE", "CASCADE"),
    ("virtualshelves_ibfk_1", "virtualshelves", ("owner",), B, ("borrowernumber",), "SET NULL", "SET NULL"),
    ("virtualshelfcontents_ibfk_1", "virtualshelfcontents", ("shelfnumber",), "virtualshelves", ("shelfnumber",),
     "CASCADE", "CASCADE"),
    ("shelfcontents_ibfk_2", "virtualshelfcontents", ("biblionumber",), T, ("biblionumber",), "CASCADE", "CASCADE"),
    ("shelfcontents_ibfk_3", "virtualshelfcontents", ("borrowernumber",), B, ("borrowernumber",), "SET NULL",
     "SET NULL"),
    ("virtualshelfshares_ibfk_1", "virtualshelfshares", ("shelfnumber",), "virtualshelves", ("shelfnumber",),
     "CASCADE", "CASCADE"),
    ("virtualshelfshares_ibfk_2", "virtualshelfshares", ("borrowernumber",), B, ("borrowernumber",), "SET NULL",
     "SET NULL"),
    *[(f"suggestions_ibfk_{c}", "suggestions", (c,), B, ("borrowernumber",), "SET NULL", "CASCADE")
      for c in ("suggestedby", "managedby", "acceptedby", "rejectedby", "lastmodificationby")],
    ("suggestions_ibfk_biblionumber", "suggestions", ("biblionumber",), T, ("biblionumber",), "SET NULL", "CASCADE"),
    ("illrequests_bnfk", "illrequests", ("borrowernumber",), B, ("borrowernumber",), "CASCADE", "CASCADE"),
    ("illrequests_bibfk", "illrequests", ("biblio_id",), T, ("biblionumber",), "SET NULL", "CASCADE"),
    ("article_requests_ibfk_1", "article_requests", ("borrowernumber",), B, ("borrowernumber",), "CASCADE",
     "CASCADE"),
    ("article_requests_ibfk_2", "article_requests", ("biblionumber",), T, ("biblionumber",), "CASCADE", "CASCADE"),
    ("article_requests_ibfk_3", "article_requests", ("itemnumber",), IT, ("itemnumber",), "SET NULL", "CASCADE"),
    ("recalls_ibfk_1", "recalls", ("patron_id",), B, ("borrowernumber",), "CASCADE", "CASCADE"),
    ("recalls_ibfk_2", "recalls", ("biblio_id",), T, ("biblionumber",), "CASCADE", "CASCADE"),
    ("recalls_ibfk_3", "recalls", ("item_id",), IT, ("itemnumber",), "CASCADE", "CASCADE"),
    ("linktracker_biblio_ibfk", "linktracker", ("biblionumber",), T, ("biblionumber",), "SET NULL", "SET NULL"),
    ("linktracker_borrower_ibfk", "linktracker", ("borrowernumber",), B, ("borrowernumber",), "SET NULL", "SET NULL"),
    ("linktracker_item_ibfk", "linktracker", ("itemnumber",), IT, ("itemnumber",), "SET NULL", "SET NULL"),
    ("club_enrollments_ibfk_2", "club_enrollments", ("borrowernumber",), B, ("borrowernumber",), "CASCADE",
     "CASCADE"),
]
del B, IT, T

# The Koha releases this schema stands for: each one's ``Version`` system preference (Koha's format: major.minor
# then two digits of maintenance release and three of database revision, "24.1100000" for 24.11.00.000) and
# what it lacks of the newest shape (tables, and columns per table). Sources and certainty: koha-facts.md.
VERSIONS: dict[str, dict] = {
    "22.11": {"Version": "22.1100000", "tables": (),
              "columns": {"checkout_renewals": ("renewal_type",), "action_logs": ("diff",),
                          "borrowers": ("protected",), "deletedborrowers": ("protected",),
                          "issues": ("checkin_library",), "old_issues": ("checkin_library",)}},
    "23.11": {"Version": "23.1100000", "tables": (),
              "columns": {"borrowers": ("protected",), "deletedborrowers": ("protected",),
                          "issues": ("checkin_library",), "old_issues": ("checkin_library",)}},
    "24.11": {"Version": "24.1100000", "tables": (), "columns": {}},
}
DEFAULT_VERSION = "24.11"

# Indexes a text column needs a prefix length for on MariaDB (Koha indexes surname(191) and so on).
PREFIX = {"surname": 191, "firstname": 191, "verification_token": 191}


def quote(driver: str, name: str) -> str:
    return f"`{name}`" if driver == "mysql" else f'"{name}"'


def column_type(driver: str, code: str) -> str:
    if code.startswith(("varchar:", "binvarchar:")):
        if driver == "sqlite":
            return "TEXT"
        size = code.split(":")[1]
        collate = " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" if driver == "mysql" and code[0] == "b" else ""
        return f"VARCHAR({size}){collate}"
    if code.startswith("enum:"):
        values = code.split(":", 1)[1].split(",")
        if driver == "mysql":
            return "ENUM(" + ",".join(f"'{v}'" for v in values) + ")"
        return "TEXT" if driver == "sqlite" else f"VARCHAR({max(map(len, values))})"
    return TYPES[driver][code]


def columns_of(table: str, version: str = DEFAULT_VERSION) -> list[tuple]:
    """The columns ``table`` has in Koha ``version``."""
    absent = VERSIONS[version]["columns"].get(table, ())
    return [c for c in TABLES[table] if c[0] not in absent]


def tables_of(version: str = DEFAULT_VERSION) -> list[str]:
    return [t for t in TABLES if t not in VERSIONS[version]["tables"]]


def table_ddl(driver: str, table: str, columns: list[tuple] | None = None, version: str = DEFAULT_VERSION) -> str:
    """``CREATE TABLE`` for one table (``columns`` overrides the standard ones, for tests)."""
    parts = []
    for column in columns if columns is not None else columns_of(table, version):
        name, code, *extra = column
        parts.append(" ".join([quote(driver, name), column_type(driver, code), *extra]))
    if table in TABLE_KEYS:
        parts.append("PRIMARY KEY (" + ", ".join(
            quote(driver, c) + (f"({PREFIX[c]})" if driver == "mysql" and c in PREFIX else "")
            for c in TABLE_KEYS[table]) + ")")
    suffix = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci" if driver == "mysql" else ""
    return f"CREATE TABLE {quote(driver, table)} (\n  " + ",\n  ".join(parts) + f"\n){suffix}"


def index_ddl(driver: str, name: str, table: str, columns: tuple[str, ...], unique: bool) -> str:
    cols = ", ".join(quote(driver, c) + (f"({PREFIX[c]})" if driver == "mysql" and c in PREFIX else "")
                     for c in columns)
    return f"CREATE {'UNIQUE ' if unique else ''}INDEX {quote(driver, name)} ON {quote(driver, table)} ({cols})"


def foreign_key_ddl(driver: str, name: str, table: str, columns: tuple[str, ...], parent: str,
                    parent_columns: tuple[str, ...], on_delete: str, on_update: str) -> str:
    q = lambda names: ", ".join(quote(driver, c) for c in names)  # noqa: E731
    return (f"ALTER TABLE {quote(driver, table)} ADD CONSTRAINT {quote(driver, name)} FOREIGN KEY ({q(columns)})"
            f" REFERENCES {quote(driver, parent)} ({q(parent_columns)})"
            + (f" ON DELETE {on_delete}" if on_delete else "") + (f" ON UPDATE {on_update}" if on_update else ""))


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


def create(target: Database | ConnectionSettings, *, indexes: bool = True, version: str = DEFAULT_VERSION) -> None:
    """Drop and create every Koha table of ``version`` (and, unless ``indexes`` is false, the secondary indexes
    and foreign keys)."""
    if version not in VERSIONS:
        raise ValueError(f"unknown Koha version {version!r}; known: {', '.join(VERSIONS)}")
    if isinstance(target, ConnectionSettings):
        if target.driver == "sqlite":
            from pathlib import Path

            Path(target.database).touch()
        with connect(target, autocommit=False) as db:
            create(db, indexes=indexes, version=version)
        return
    driver = target.driver
    statements = ["SET SESSION foreign_key_checks=0"] if driver == "mysql" else []
    statements += [drop_ddl(driver, table) for table in TABLES]
    statements += [table_ddl(driver, table, version=version) for table in tables_of(version)]
    if driver == "mysql":
        statements.append("SET SESSION foreign_key_checks=1")
    execute(target, statements)
    if indexes:
        create_indexes(target)


def create_indexes(db: Database) -> None:
    """Koha's secondary indexes and (MariaDB) foreign keys, on the tables present, after loading."""
    present = _present(db)
    statements = [index_ddl(db.driver, *index) for index in INDEXES if index[1] in present]
    if db.driver == "mysql":
        statements.append("SET SESSION foreign_key_checks=0")  # the loaded rows are Koha's; do not re-check them
        statements += [foreign_key_ddl(db.driver, *fk) for fk in FOREIGN_KEYS if fk[1] in present and fk[3] in present]
        statements.append("SET SESSION foreign_key_checks=1")
    execute(db, statements)


def _present(db: Database) -> set[str]:
    cursor = db.connection.cursor()
    try:
        if db.driver == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        elif db.driver == "mysql":
            cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
        else:
            cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        return {row[0] for row in cursor.fetchall()} & set(TABLES)
    finally:
        cursor.close()
