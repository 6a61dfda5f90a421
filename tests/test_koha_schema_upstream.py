"""Our Koha schema against upstream Koha's, on the real MariaDB server, read back from information_schema.

For each Koha release the schema stands for (``schema.VERSIONS``), the test
lists the tables and columns the connector and retention rely on, with the
definition upstream's ``installer/data/mysql/kohastructure.sql`` gives them
(type, NULL-ability, default, ``ON UPDATE``; sources in
``/work/notes/koha-facts.md``), builds the schema on MariaDB and fails on any
drift. It also proves the behaviour those definitions carry: an ``UPDATE`` that
does not name ``accountlines.timestamp`` moves it, and Koha's foreign keys set
a deleted patron's past loans to NULL and delete their notices.
"""

from __future__ import annotations

import pytest

from closedstacks.ils.connectors.db import ConnectionSettings, connect
from closedstacks.ils.connectors.koha import schema
from tests.ils import ils_url  # noqa: F401

NOW = "current_timestamp()"
UPD = "on update current_timestamp()"
AI = "auto_increment"
# (column type, nullable, default, extra) as MariaDB reports them; default None is "no default" or NULL.
STAMP = ("timestamp", False, NOW, UPD)  # Koha's last-changed timestamp
CREATED = ("timestamp", False, NOW, "")  # set once
INT = ("int(11)", True, None, "")
INT_NN = ("int(11)", False, None, "")
DATETIME = ("datetime", True, None, "")
DATE = ("date", True, None, "")
ID = ("int(11)", False, None, AI)

EXPECTED: dict[str, dict[str, tuple]] = {
    "borrowers": {"borrowernumber": ID, "cardnumber": ("varchar(32)", True, None, ""), "surname": ("longtext", True,
                  None, ""), "firstname": ("mediumtext", True, None, ""), "dateofbirth": DATE,
                  "categorycode": ("varchar(10)", False, "", ""), "branchcode": ("varchar(10)", False, "", ""),
                  "userid": ("varchar(75)", True, None, ""), "privacy": ("int(11)", False, "1", ""),
                  "privacy_guarantor_checkouts": ("tinyint(1)", False, "0", ""), "updated_on": STAMP,
                  "lastseen": DATETIME, "dateexpiry": DATE, "anonymized": ("tinyint(1)", False, "0", ""),
                  "lang": ("varchar(25)", False, "default", ""), "checkprevcheckout": ("varchar(7)", False, "inherit",
                                                                                     "")},
    "categories": {"categorycode": ("varchar(10)", False, "", ""), "description": ("longtext", True, None, ""),
                   "category_type": ("varchar(1)", False, "A", ""),
                   "default_privacy": ("enum('default','never','forever')", False, "default", "")},
    "issues": {"issue_id": ID, "borrowernumber": INT_NN, "issuer_id": INT, "itemnumber": INT_NN,
               "date_due": DATETIME, "issuedate": DATETIME, "returndate": DATETIME, "lastreneweddate": DATETIME,
               "renewals_count": ("tinyint(4)", False, "0", ""), "branchcode": ("varchar(10)", True, None, ""),
               "timestamp": STAMP},
    "old_issues": {"issue_id": INT_NN, "borrowernumber": INT, "issuer_id": INT, "itemnumber": INT,
                   "date_due": DATETIME, "issuedate": DATETIME, "returndate": DATETIME,
                   "renewals_count": ("tinyint(4)", False, "0", ""), "timestamp": STAMP},
    "reserves": {"reserve_id": ID, "borrowernumber": ("int(11)", False, "0", ""), "reservedate": DATE,
                 "biblionumber": ("int(11)", False, "0", ""), "itemnumber": INT,
                 "found": ("varchar(1)", True, None, ""),
                 "suspend": ("tinyint(1)", False, "0", ""), "branchcode": ("varchar(10)", False, None, ""),
                 "cancellationdate": DATE, "expirationdate": DATE, "timestamp": STAMP},
    "old_reserves": {"reserve_id": INT_NN, "borrowernumber": INT, "reservedate": DATE, "biblionumber": INT,
                     "itemnumber": INT, "cancellationdate": DATE, "expirationdate": DATE, "timestamp": STAMP},
    "accountlines": {"accountlines_id": ID, "issue_id": INT, "borrowernumber": INT, "itemnumber": INT,
                     "date": ("timestamp", True, None, ""), "amount": ("decimal(28,6)", True, None, ""),
                     "amountoutstanding": ("decimal(28,6)", True, None, ""), "description": ("longtext", True, None,
                                                                                              ""),
                     "debit_type_code": ("varchar(80)", True, None, ""), "manager_id": INT,
                     "interface": ("varchar(16)", False, None, ""), "timestamp": STAMP},
    "statistics": {"datetime": DATETIME, "borrowernumber": INT, "itemnumber": INT, "type": ("varchar(16)", True,
                   None, ""), "branch": ("varchar(10)", True, None, ""), "value": ("double(16,4)", True, None, "")},
    "search_history": {"id": ID, "userid": INT_NN, "sessionid": ("varchar(32)", False, None, ""),
                       "query_desc": ("varchar(255)", False, None, ""), "total": INT_NN, "time": CREATED},
    "items_last_borrower": {"id": ID, "itemnumber": INT_NN, "borrowernumber": INT_NN, "created_on": STAMP},
    "action_logs": {"action_id": ID, "timestamp": CREATED, "user": ("int(11)", False, "0", ""), "object": INT,
                    "module": ("mediumtext", True, None, ""), "info": ("mediumtext", True, None, "")},
    "checkout_renewals": {"renewal_id": ID, "checkout_id": INT, "renewer_id": INT,
                          "interface": ("varchar(16)", False, None, ""), "timestamp": CREATED,
                          "renewal_type": ("enum('Automatic','Manual')", False, "Manual", "")},
    "systempreferences": {"variable": ("varchar(50)", False, "", ""), "value": ("mediumtext", True, None, "")},
    "items": {"itemnumber": ID, "biblionumber": ("int(11)", False, "0", ""), "barcode": ("varchar(20)", True, None,
              ""), "itemcallnumber": ("varchar(255)", True, None, ""), "timestamp": STAMP},
    "biblio": {"biblionumber": ID, "title": ("longtext", True, None, ""), "author": ("longtext", True, None, ""),
               "datecreated": ("date", False, None, ""), "timestamp": STAMP},
    "deletedborrowers": {"borrowernumber": ("int(11)", False, "0", ""), "updated_on": STAMP},
    # the privacy map
    "message_queue": {"message_id": ID, "borrowernumber": INT, "time_queued": ("timestamp", True, None, ""),
                      "updated_on": STAMP, "status": ("enum('sent','pending','failed','deleted')", False, "pending",
                                                      "")},
    "reviews": {"reviewid": ID, "borrowernumber": INT, "biblionumber": INT, "datereviewed": DATETIME},
    "tags_all": {"tag_id": ID, "borrowernumber": INT, "biblionumber": INT_NN,
                 "date_created": ("datetime", False, None, "")},
    "virtualshelves": {"shelfnumber": ID, "owner": INT, "created_on": ("datetime", False, None, ""),
                       "lastmodified": STAMP},
    "virtualshelfcontents": {"shelfnumber": ("int(11)", False, "0", ""), "borrowernumber": INT,
                             "dateadded": STAMP},
    "virtualshelfshares": {"id": ID, "shelfnumber": INT_NN, "borrowernumber": INT, "sharedate": DATETIME,
                           "invitekey": ("varchar(10)", True, None, "")},
    "suggestions": {"suggestionid": ID, "suggestedby": INT, "managedby": INT, "acceptedby": INT, "rejectedby": INT,
                    "suggesteddate": ("date", False, None, ""), "date": STAMP},
    "illrequests": {"illrequest_id": ("bigint(20) unsigned", False, None, AI), "borrowernumber": INT,
                    "placed": DATE, "updated": STAMP, "branchcode": ("varchar(50)", False, None, "")},
    "article_requests": {"id": ID, "borrowernumber": INT_NN, "biblionumber": INT_NN,
                         "created_on": ("timestamp", True, None, ""), "updated_on": STAMP},
    "borrower_modifications": {"borrowernumber": ("int(11)", False, "0", ""), "timestamp": STAMP,
                               "verification_token": ("varchar(255)", False, "", "")},
    "pseudonymized_transactions": {"id": ID, "hashed_borrowernumber": ("varchar(60)", False, None, ""),
                                   "datetime": DATETIME},
    "recalls": {"recall_id": ID, "patron_id": ("int(11)", False, "0", ""), "created_date": DATETIME,
                "timestamp": STAMP},
    "linktracker": {"id": ID, "borrowernumber": INT, "url": ("mediumtext", True, None, ""), "timeclicked": DATETIME},
    "club_enrollments": {"id": ID, "borrowernumber": INT_NN, "date_enrolled": CREATED},
}
# Columns each release lacks (per VERSIONS); every other expected column must be there.
ABSENT = {version: spec["columns"] for version, spec in schema.VERSIONS.items()}

# Koha's foreign keys that decide what happens to a patron's rows: (table, column, parent, ON DELETE, ON UPDATE).
EXPECTED_FKS = [
    ("issues", "borrowernumber", "borrowers", "RESTRICT", "CASCADE"),
    ("old_issues", "borrowernumber", "borrowers", "SET NULL", "SET NULL"),
    ("old_issues", "itemnumber", "items", "SET NULL", "SET NULL"),
    ("reserves", "borrowernumber", "borrowers", "CASCADE", "CASCADE"),
    ("old_reserves", "borrowernumber", "borrowers", "SET NULL", "SET NULL"),
    ("accountlines", "borrowernumber", "borrowers", "SET NULL", "CASCADE"),
    ("accountlines", "manager_id", "borrowers", "SET NULL", "CASCADE"),
    ("checkout_renewals", "renewer_id", "borrowers", "SET NULL", "CASCADE"),
    ("items_last_borrower", "borrowernumber", "borrowers", "CASCADE", "CASCADE"),
    ("message_queue", "borrowernumber", "borrowers", "CASCADE", "CASCADE"),
    ("reviews", "borrowernumber", "borrowers", "SET NULL", "CASCADE"),
    ("tags_all", "borrowernumber", "borrowers", "SET NULL", "CASCADE"),
    ("virtualshelves", "owner", "borrowers", "SET NULL", "SET NULL"),
    ("virtualshelfcontents", "borrowernumber", "borrowers", "SET NULL", "SET NULL"),
    ("virtualshelfcontents", "shelfnumber", "virtualshelves", "CASCADE", "CASCADE"),
    ("virtualshelfshares", "borrowernumber", "borrowers", "SET NULL", "SET NULL"),
    ("suggestions", "suggestedby", "borrowers", "SET NULL", "CASCADE"),
    ("illrequests", "borrowernumber", "borrowers", "CASCADE", "CASCADE"),
    ("article_requests", "borrowernumber", "borrowers", "CASCADE", "CASCADE"),
    ("recalls", "patron_id", "borrowers", "CASCADE", "CASCADE"),
    ("linktracker", "borrowernumber", "borrowers", "SET NULL", "SET NULL"),
    ("club_enrollments", "borrowernumber", "borrowers", "CASCADE", "CASCADE"),
    ("borrowers", "categorycode", "categories", "RESTRICT", "RESTRICT"),
]


def _default(value):
    if value is None or value == "NULL":
        return None
    value = str(value)
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == "'" else value


def _built(url: str, version: str):
    settings = ConnectionSettings.from_url(url)
    schema.create(settings, version=version)
    return settings


def _columns(db) -> dict[str, dict[str, tuple]]:
    found: dict[str, dict[str, tuple]] = {}
    for table, column, kind, nullable, default, extra in db.rows(
            "SELECT table_name, column_name, column_type, is_nullable, column_default, extra"
            " FROM information_schema.columns WHERE table_schema = DATABASE()"):
        kind = kind if kind.startswith("enum") else kind.lower()  # enum values keep their case
        found.setdefault(table, {})[column] = (kind, nullable == "YES", _default(default),
                                               (extra or "").lower().strip())
    return found


@pytest.mark.parametrize("version", sorted(schema.VERSIONS))
def test_columns_match_upstream(ils_url, version):  # noqa: F811
    settings = _built(ils_url("mysql"), version)
    with connect(settings) as db:
        found = _columns(db)
    drift = []
    for table, columns in EXPECTED.items():
        if table not in found:
            drift.append(f"table {table} is missing")
            continue
        for column, expected in columns.items():
            if column in ABSENT[version].get(table, ()):
                if column in found[table]:
                    drift.append(f"{table}.{column} should not exist in Koha {version}")
                continue
            got = found[table].get(column)
            if got != expected:
                drift.append(f"{table}.{column}: expected {expected}, got {got}")
    assert drift == []


@pytest.mark.parametrize("version", sorted(schema.VERSIONS))
def test_foreign_keys_match_upstream(ils_url, version):  # noqa: F811
    settings = _built(ils_url("mysql"), version)
    with connect(settings) as db:
        got = set(db.rows(
            "SELECT k.table_name, k.column_name, k.referenced_table_name, r.delete_rule, r.update_rule"
            " FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r"
            " ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name"
            " AND r.table_name = k.table_name WHERE k.table_schema = DATABASE()"))
    missing = [fk for fk in EXPECTED_FKS if fk not in got]
    assert missing == []


def test_primary_keys_match_upstream(ils_url):  # noqa: F811
    settings = _built(ils_url("mysql"), schema.DEFAULT_VERSION)
    with connect(settings) as db:
        keys: dict[str, list[str]] = {}
        for table, column in db.rows(
                "SELECT table_name, column_name FROM information_schema.key_column_usage"
                " WHERE table_schema = DATABASE() AND constraint_name = 'PRIMARY' ORDER BY table_name,"
                " ordinal_position"):
            keys.setdefault(table, []).append(column)
        unique = {(t, c) for t, c in db.rows(
            "SELECT table_name, column_name FROM information_schema.statistics WHERE table_schema = DATABASE()"
            " AND non_unique = 0 AND index_name <> 'PRIMARY'")}
    assert "statistics" not in keys and "virtualshelfcontents" not in keys and "deletedborrowers" not in keys
    assert keys["old_issues"] == ["issue_id"] and keys["old_reserves"] == ["reserve_id"]
    assert keys["borrower_modifications"] == ["verification_token", "borrowernumber"]
    assert keys["categories"] == ["categorycode"] and keys["systempreferences"] == ["variable"]
    assert {("borrowers", "cardnumber"), ("borrowers", "userid"), ("items_last_borrower", "itemnumber"),
            ("issues", "itemnumber"), ("items", "barcode")} <= unique


def test_versions_are_in_kohas_format():
    for version, spec in schema.VERSIONS.items():
        major, minor = version.split(".")
        assert spec["Version"] == f"{major}.{minor}00000", version
    assert schema.DEFAULT_VERSION == max(schema.VERSIONS)


def test_unlinking_update_moves_the_timestamp_unless_kept(ils_url):  # noqa: F811
    """Koha's accountlines.timestamp is ON UPDATE current_timestamp(): unlinking that does not keep it moves it."""
    settings = _built(ils_url("mysql"), schema.DEFAULT_VERSION)
    old = "2020-01-02 03:04:05"
    with connect(settings) as db:
        cursor = db.connection.cursor()
        cursor.execute("INSERT INTO categories (categorycode, description, category_type) VALUES ('PT', 'Patron', 'A')")
        cursor.execute("INSERT INTO borrowers (borrowernumber, surname, categorycode) VALUES (1, 'Núñez', 'PT'),"
                       " (2, 'Anonymous', 'PT')")
        cursor.execute("INSERT INTO accountlines (accountlines_id, borrowernumber, amount, amountoutstanding,"
                       " interface, timestamp) VALUES (1, 1, 1.5, 0, 'intranet', %s), (2, 1, 2, 0, 'intranet', %s)",
                       (old, old))
        cursor.execute("UPDATE accountlines SET borrowernumber = 2 WHERE accountlines_id = 1")
        cursor.execute("UPDATE accountlines SET borrowernumber = 2, timestamp = timestamp WHERE accountlines_id = 2")
        rows = dict(db.rows("SELECT accountlines_id, timestamp FROM accountlines"))
        cursor.close()
    assert str(rows[1]) != old  # moved to now by ON UPDATE
    assert str(rows[2]) == old  # kept when the statement names it


def test_deleting_a_patron_follows_kohas_foreign_keys(ils_url):  # noqa: F811
    settings = _built(ils_url("mysql"), schema.DEFAULT_VERSION)
    with connect(settings) as db:
        cursor = db.connection.cursor()
        cursor.execute("INSERT INTO categories (categorycode, category_type) VALUES ('PT', 'A'), ('S', 'S')")
        cursor.execute("INSERT INTO borrowers (borrowernumber, surname, categorycode) VALUES (1, 'Ó Súilleabháin',"
                       " 'PT'), (2, 'Desk', 'S')")
        cursor.execute("INSERT INTO biblio (biblionumber, title, datecreated) VALUES (1, 'A', '2020-01-01')")
        cursor.execute("INSERT INTO items (itemnumber, biblionumber, barcode) VALUES (1, 1, 'B1')")
        cursor.execute("INSERT INTO old_issues (issue_id, borrowernumber, issuer_id, itemnumber) VALUES (7, 1, 2, 1)")
        cursor.execute("INSERT INTO checkout_renewals (checkout_id, renewer_id, interface) VALUES (7, 1, 'opac'),"
                       " (7, 2, 'intranet')")
        cursor.execute("INSERT INTO message_queue (borrowernumber, message_transport_type) VALUES (1, 'email')")
        cursor.execute("INSERT INTO reviews (borrowernumber, biblionumber, review) VALUES (1, 1, 'Good')")
        cursor.execute("DELETE FROM borrowers WHERE borrowernumber = 1")
        assert db.one("SELECT borrowernumber, issuer_id FROM old_issues") == (None, 2)
        # the patron's own renewal loses its renewer (SET NULL); the staff member's stays
        assert sorted(r[0] or 0 for r in db.rows("SELECT renewer_id FROM checkout_renewals")) == [0, 2]
        assert db.one("SELECT COUNT(*) FROM message_queue") == (0,)
        assert db.one("SELECT borrowernumber FROM reviews") == (None,)
        cursor.close()


def test_generated_library_holds_version_anonymous_patron_and_staff(ils_url):  # noqa: F811
    from closedstacks.ils.generators.koha import generate

    settings = ConnectionSettings.from_url(ils_url("mysql"))
    counts = generate(settings, users=120, loans=1500, seed=5)
    with connect(settings) as db:
        prefs = dict(db.rows("SELECT variable, value FROM systempreferences"))
        assert prefs["Version"] == schema.VERSIONS[schema.DEFAULT_VERSION]["Version"]
        anonymous = int(prefs["AnonymousPatron"])
        assert db.one("SELECT COUNT(*) FROM borrowers WHERE borrowernumber = %s", (anonymous,)) == (1,)
        # every category a borrower has is in categories; staff are category_type 'S' and renew at the desk
        assert db.one("SELECT COUNT(*) FROM borrowers p LEFT JOIN categories c ON c.categorycode = p.categorycode"
                      " WHERE c.categorycode IS NULL") == (0,)
        desk = db.one("SELECT COUNT(*) FROM checkout_renewals r JOIN borrowers s ON s.borrowernumber = r.renewer_id"
                      " JOIN categories c ON c.categorycode = s.categorycode WHERE c.category_type = 'S'"
                      " AND r.interface = 'intranet'")[0]
        assert desk > 0
        for table, (links, dated, _cleanup) in schema.PRIVACY_MAP.items():
            assert counts[table] > 0, table
            assert db.one(f"SELECT COUNT(*) FROM `{table}` WHERE `{dated}` IS NOT NULL")[0] > 0, (table, dated)
            for link in links:
                orphans = db.one(f"SELECT COUNT(*) FROM `{table}` x LEFT JOIN borrowers p ON p.borrowernumber ="
                                 f" x.`{link}` WHERE x.`{link}` IS NOT NULL AND p.borrowernumber IS NULL")[0]
                assert table == "deletedborrowers" or orphans == 0, (table, link)
        # privacy-2 loans anonymized at check-in kept their return-time timestamp
        assert db.one("SELECT COUNT(*) FROM old_issues WHERE borrowernumber = %s AND timestamp > NOW() - INTERVAL"
                      " 1 DAY AND returndate < NOW() - INTERVAL 2 DAY", (anonymous,)) == (0,)
