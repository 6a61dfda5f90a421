"""A realistic, deterministic Koha database for tests, demos and benchmarks, built fast.

``generate(settings, users=..., loans=...)`` creates the Koha tables
(:mod:`.schema`) and fills them from ``random.Random(seed)``: borrowers with
names, 14-digit cards, dates of birth, privacy settings and home branches
(a few namesakes, so a name needs its date of birth); titles and items;
loans over the last five years in issue order (most returned, in
``old_issues``; those not yet due back, in ``issues``), with renewals,
late returns and their fines; holds current and past; OPAC search history;
``statistics`` rows for every issue, renewal and return; the last borrower of
each item; a few ``action_logs``; and the ``AnonymousPatron`` borrower, to
whom the loans of users who chose "never keep my history" (privacy 2) are
anonymized at check-in — while ``statistics``, ``items_last_borrower`` and
``accountlines`` keep their borrowernumber, as in a real Koha. Staff (the
``S`` category, of ``category_type`` 'S' in ``categories``) issue loans and
make the desk renewals in ``checkout_renewals`` (``renewer_id`` the staff
borrower; patrons renew their own at the OPAC). A few rows go in each of the
other tables of Koha's privacy map (:data:`.schema.PRIVACY_MAP`: notices,
reviews, tags, lists and their shares, suggestions, ILL and article requests,
recalls, clicked links, club enrolments, pending patron changes,
pseudonymized transactions, deleted patrons), and ``systempreferences``
holds ``Version`` (Koha's format) and ``AnonymousPatron`` as an install does.

Speed: rows are built as plain tuples in batches and loaded with
``LOAD DATA LOCAL INFILE`` on MariaDB/MySQL, ``COPY`` on PostgreSQL and
``executemany`` in one transaction on SQLite, by a loader thread while the
next batch is built; secondary indexes are created after loading.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import random
import tempfile
import threading
from bisect import bisect_right
from collections.abc import Callable
from contextlib import contextmanager
from itertools import accumulate

from closedstacks.ils.connectors.base import ConnectorError
from closedstacks.ils.connectors.db import ConnectionSettings, Database, connect, explain
from closedstacks.ils.connectors.koha import schema

BATCH = 50_000
YEARS = 5
LOAN_DAYS = 21  # loan period; each renewal adds another
TODAY: dt.date | None = None  # tests may pin "today"; None is the real date

BRANCHES = ["CPL", "MPL", "FFL", "FPL", "IPT", "LPL", "SPL", "TPL"]
BRANCH_WEIGHTS = [30, 18, 12, 10, 9, 8, 7, 6]
CATEGORIES = ["PT", "ST", "J", "SC", "S"]  # patron, student, juvenile, senior citizen, staff
CATEGORY_WEIGHTS = [55, 15, 15, 13, 0]  # staff accounts are made apart
# categories rows: code → (description, Koha's category_type: A adult, C child, S staff).
CATEGORY_ROWS = {"PT": ("Patron", "A"), "ST": ("Student", "A"), "J": ("Juvenile", "C"),
                 "SC": ("Senior citizen", "A"), "S": ("Staff", "S")}
ITYPES = ["BK", "BK", "BK", "BK", "DVD", "CD", "MAG", "EB"]
LOCATIONS = ["GEN", "GEN", "CHILD", "TEEN", "REF", "AV"]
CCODES = ["FIC", "NFIC", "JUV", "REF", "BIO"]

FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
         "Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra "
         "Mark Margaret Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin "
         "Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey "
         "Cynthia Ryan Dorothy Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda "
         "Larry Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra "
         "Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler "
         "Catherine Aaron Diane José Zoë Siobhán Chloé Renée Zoltán Aiyana Wei Priya Kwame Ngozi Sven Ingrid Mei "
         "Yusuf Fatima Dmitri Aleksandra Hiroshi Ayumi Luis Camila Mateo Sofía Élodie Ángel Øyvind Åsa Ümit "
         "Çağla Łukasz Žofie").split()
SURNAMES = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
            "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
            "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
            "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz "
            "Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson "
            "Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
            "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez O'Brien "
            "O'Connor D'Angelo Núñez Müller Søren-Larsen Van_der_Berg De_la_Cruz Okafor Mensah Nakamura Tanaka "
            "Kowalski Nowak Ivanova Petrov Haddad Nasser Singh Chen Wang Zhang Liu Yilmaz Kaya Björk Ó_Súilleabháin "
            "Friedman Goldberg Rossi Russo Dubois Lefebvre Élie Ödegaard Çelik Ångström Łukasiewicz").split()
SURNAMES = [name.replace("_", " ") for name in SURNAMES]
STREETS = ("Main St|Oak Ave|Maple Dr|Cedar Ln|Elm St|Pine Rd|Washington Blvd|Lake View Rd|Hillcrest Ave|"
           "Park Pl|River Rd|Church St|Mill Ln|Highland Ave|Sunset Blvd|Forest Dr|Spring St|Union St|Chestnut St|"
           "Walnut Ave").split("|")
CITIES = [("Springfield", "62701"), ("Riverton", "82501"), ("Fairview", "37062"), ("Franklin", "37064"),
          ("Greenville", "29601"), ("Madison", "53703"), ("Clinton", "28328"), ("Georgetown", "78626")]
ADJECTIVES = ("Silent Hidden Broken Golden Last Lost Secret Forgotten Burning Quiet Crimson Distant Endless Fallen "
              "Frozen Hollow Invisible Midnight Northern Painted Restless Scarlet Shattered Southern Stolen Wild "
              "Winter Summer Autumn Bitter Brief Dark Bright Deep Little Long New Old Other Strange Sweet True "
              "Unquiet Velvet Wandering Wicked Yellow Iron Glass Paper").split()
NOUNS = ("River Garden House Road Island City Mountain Sea Forest Night Morning Kingdom Country Heart Mind Witness "
         "Promise Letter Journey Empire Daughter Son Wife Husband Stranger Orchard Harbor Lighthouse Library "
         "Archive Map Clock Mirror Door Window Bridge Tower Storm Fire Shadow Song Silence Memory Secret Ghost "
         "Garden Machine Machine Winter Station Hotel Frontier Border Republic").split()
SUBJECTS = ("history|cooking|gardening|python programming|world war ii|knitting|tax law|divorce|immigration|"
            "depression|bankruptcy|islam|christianity|judaism|buddhism|firearms|chemistry|explosives|"
            "dinosaurs|astronomy|knitting patterns|poetry|mystery|romance|science fiction|fantasy|biography|"
            "travel guides|spanish language|job search|pregnancy|cancer|diabetes|addiction recovery|"
            "lgbtq fiction|civil rights|protest movements|cryptography|encryption|wicca|vegan cooking|chess|"
            "birds|local history|genealogy|car repair|resume writing|anxiety|grief").split("|")
DEWEY_AUTHORS = "ABC|ADA|BRO|CAR|DIA|EVA|FOS|GAR|HAL|JOH|KIN|LEE|MIL|NGU|ORT|PAT|ROS|SMI|TAN|WIL".split("|")

NULL_TSV = "\\N"


def lottery(ids, weights, size: int = 1 << 20) -> list[int]:
    """A list where each id appears in proportion to its weight: a uniform pick from it is a weighted pick
    (much faster than ``choices(cum_weights=...)``, which bisects for every pick)."""
    total = sum(weights) or 1.0
    scale = size / total
    tickets: list[int] = []
    for i, w in zip(ids, weights):
        if w > 0:
            tickets.extend([i] * max(1, round(w * scale)))
    return tickets or list(ids)


def luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


# --- loaders -------------------------------------------------------------------------------------------------


class _Loader:
    """Loads batches of rows into tables on a thread of its own, so building the next batch overlaps the load."""

    null: object = None

    def __init__(self, settings: ConnectionSettings):
        self.settings = settings
        self.queue: queue.Queue = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="koha-generate-loader", daemon=True)

    def start(self):
        self.thread.start()

    def put(self, table: str, columns: tuple[str, ...], rows: list) -> None:
        if self.error:
            raise self.error
        if rows:
            self.queue.put((table, columns, rows))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise self.error

    def _run(self):
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error:
                continue
            try:
                self.load(*item)
            except BaseException as exc:  # noqa: BLE001 - handed to the building thread
                self.error = exc

    def load(self, table, columns, rows):  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def tsv(rows) -> str:
        return "\n".join(["\t".join(map(str, row)) for row in rows]) + "\n"


class _SqliteLoader(_Loader):
    null = None

    def __init__(self, settings, db: Database):
        super().__init__(settings)
        self.db = db
        self.statements: dict[str, str] = {}

    def load(self, table, columns, rows):
        key = table + repr(columns)
        statement = self.statements.get(key)
        if statement is None:
            statement = self.statements[key] = (
                f'INSERT INTO "{table}" (' + ", ".join(f'"{c}"' for c in columns) + ") VALUES ("
                + ", ".join("?" * len(columns)) + ")")
        self.db.connection.executemany(statement, rows)


class _MysqlLoader(_Loader):
    null = NULL_TSV

    def __init__(self, settings, db: Database):
        super().__init__(settings)
        self.db = db
        self.folder = tempfile.mkdtemp(prefix="koha-generate-")

    def load(self, table, columns, rows):
        path = os.path.join(self.folder, "batch.tsv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.tsv(rows))
        cursor = self.db.connection.cursor()
        try:
            # The path is ours (a temporary folder), never input.
            cursor.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE `{table}` CHARACTER SET utf8mb4 ("
                           + ", ".join(f"`{c}`" for c in columns) + ")")
        finally:
            cursor.close()
            os.unlink(path)

    def close(self):
        try:
            super().close()
        finally:
            os.rmdir(self.folder)


class _PostgresLoader(_Loader):
    null = NULL_TSV

    def __init__(self, settings, db: Database):
        super().__init__(settings)
        self.db = db

    def load(self, table, columns, rows):
        with self.db.connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table}" (' + ", ".join(f'"{c}"' for c in columns) + ") FROM STDIN") as copy:
                copy.write(self.tsv(rows))


@contextmanager
def _open(settings: ConnectionSettings):
    """A writable connection set up for a bulk load, and its loader."""
    if settings.driver == "sqlite":
        from pathlib import Path

        Path(settings.database).parent.mkdir(parents=True, exist_ok=True)
        Path(settings.database).touch()
        with connect(settings, autocommit=False) as db:
            db.connection.execute("PRAGMA journal_mode=OFF")
            db.connection.execute("PRAGMA synchronous=OFF")
            db.connection.execute("PRAGMA cache_size=-200000")
            db.connection.execute("PRAGMA temp_store=MEMORY")
            db.connection.execute("PRAGMA threads=4")
            yield db, _SqliteLoader(settings, db)
        return
    if settings.driver == "mysql":
        import pymysql

        try:
            connection = pymysql.connect(host=settings.host, port=settings.port or 3306, user=settings.user,
                                         password=settings.password, database=settings.database,
                                         connect_timeout=10, autocommit=True, charset="utf8mb4", local_infile=True)
        except Exception as exc:  # noqa: BLE001
            raise ConnectorError(explain(settings, exc)) from None
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET SESSION unique_checks=0, foreign_key_checks=0")
                cursor.execute("SET SESSION sql_mode=''")
            db = Database(settings, connection)
            yield db, _MysqlLoader(settings, db)
        finally:
            connection.close()
        return
    if settings.driver == "postgresql":
        with connect(settings, autocommit=False) as db:
            db.connection.execute("SET synchronous_commit = off")
            yield db, _PostgresLoader(settings, db)
        return
    raise ConnectorError(f"Cannot generate a Koha database on {settings.driver!r}.")


# --- the generator -------------------------------------------------------------------------------------------


def generate(settings: ConnectionSettings, *, users: int, loans: int, holds: int | None = None, seed: int = 1,
             progress: Callable[[int, int, str], None] | None = None) -> dict[str, int]:
    """Build a Koha database at ``settings`` with ``users`` borrowers and ``loans`` loans; returns rows per table."""
    if users < 1 or loans < 0:
        raise ValueError("users must be at least 1 and loans not negative")
    holds = loans // 10 if holds is None else holds
    with _open(settings) as (db, loader):
        schema.create(db, indexes=False)
        if db.driver == "sqlite":
            db.connection.commit()
        loader.start()
        try:
            builder = _Builder(loader, users=users, loans=loans, holds=holds, seed=seed, progress=progress)
            counts = builder.build()
        except BaseException:
            loader.close()
            raise
        loader.close()
        if progress:
            progress(0, 1, "statistics")
        schema.execute(db, DERIVE)
        cursor = db.connection.cursor()
        try:
            cursor.execute(db.sql(ANONYMIZE_AT_CHECKIN), (builder.anonymous,))
        finally:
            cursor.close()
        db.connection.commit()
        if progress:
            progress(1, 1, "statistics")
            progress(0, 1, "indexes")
        schema.create_indexes(db)
        if db.driver == "postgresql":
            _reset_sequences(db)
        db.connection.commit()
        if db.driver == "sqlite":
            db.connection.execute("PRAGMA analysis_limit=1000")
            db.connection.execute("ANALYZE")
            db.connection.commit()
        if progress:
            progress(1, 1, "indexes")
    return counts


# Koha writes a statistics row at each issue, renewal and return, with the borrower (and keeps it when the
# loan itself is anonymized). Built from the loaded loans, in the database: much faster than in Python.
_STAT = ("INSERT INTO statistics (datetime, branch, value, type, other, itemnumber, itemtype, location,"
         " borrowernumber, ccode, categorycode, interface) ")
_JOIN = (" JOIN items i ON i.itemnumber = o.itemnumber JOIN borrowers p ON p.borrowernumber = o.borrowernumber")
DERIVE = [
    _STAT + "SELECT o.issuedate, o.branchcode, 0, 'issue', '', o.itemnumber, i.itype, i.location, o.borrowernumber,"
    " i.ccode, p.categorycode, 'intranet' FROM " + table + " o" + _JOIN
    for table in ("old_issues", "issues")
] + [
    _STAT + "SELECT o.returndate, o.checkin_library, 0, 'return', '', o.itemnumber, i.itype, i.location,"
    " o.borrowernumber, i.ccode, p.categorycode, 'intranet' FROM old_issues o" + _JOIN,
] + [
    _STAT + "SELECT r.timestamp, o.branchcode, 0, 'renew', '', o.itemnumber, i.itype, i.location, o.borrowernumber,"
    " i.ccode, p.categorycode, r.interface FROM checkout_renewals r JOIN " + table
    + " o ON o.issue_id = r.checkout_id" + _JOIN
    for table in ("old_issues", "issues")
]
# Users who chose "never keep my history" (privacy 2) have their loans anonymized at check-in (so the row's
# timestamp, ON UPDATE current_timestamp() on MariaDB, stays the time of the return it was anonymized at).
ANONYMIZE_AT_CHECKIN = (
    "UPDATE old_issues SET borrowernumber = %s, timestamp = timestamp WHERE borrowernumber IN"
    " (SELECT borrowernumber FROM borrowers WHERE privacy = 2)")


def _reset_sequences(db: Database) -> None:
    with db.connection.cursor() as cursor:
        for table, columns in schema.TABLES.items():
            name, code, *_ = columns[0]
            if code in ("pk", "bigpk"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{name}'), "
                               f"COALESCE((SELECT MAX(\"{name}\") FROM \"{table}\"), 0) + 1, false)")


class _Builder:
    def __init__(self, loader: _Loader, *, users: int, loans: int, holds: int, seed: int, progress):
        self.loader, self.users, self.loans, self.holds = loader, users, loans, holds
        self.rng = random.Random(seed)
        self.progress = progress
        self.N = loader.null
        self.counts: dict[str, int] = {}
        today = TODAY or dt.date.today()
        self.ndays = YEARS * 365 + 1
        self.today_index = self.ndays - 1
        start = today - dt.timedelta(days=self.ndays - 1)
        # Day strings from 90 years back (dates of birth) to after the last due date.
        self.first = start
        self.days = [(start + dt.timedelta(days=i)).isoformat() for i in range(self.ndays + 400)]
        self.branch_cum = list(accumulate(BRANCH_WEIGHTS))
        self.times = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(9, 21) for m in range(60) for s in (0, 17, 34, 51)]

    def put(self, table, columns, rows):
        self.loader.put(table, columns, rows)
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def build(self) -> dict[str, int]:
        self.make_borrowers()
        self.make_catalogue()
        self.make_loans()
        self.make_items()
        self.make_holds()
        self.make_searches()
        self.make_action_logs()
        self.make_privacy_map()
        self.make_preferences()
        for table in schema.TABLES:
            self.counts.setdefault(table, 0)
        return dict(sorted(self.counts.items()))

    # borrowers ------------------------------------------------------------------------------------------------

    def make_borrowers(self):
        rng, N, users = self.rng, self.N, self.users
        self.anonymous = users + 1
        self.staff = list(range(1, max(2, users // 400) + 1))
        self.branch_of = [""] * (users + 2)
        self.category_of = [""] * (users + 2)
        self.privacy_of = [1] * (users + 2)
        weights = [0.0] * (users + 1)
        rows = []
        dob_base = dt.date(1930, 1, 1)
        columns = ("borrowernumber", "cardnumber", "surname", "firstname", "title", "address", "city", "zipcode",
                   "country", "email", "phone", "mobile", "smsalertnumber", "dateofbirth", "branchcode",
                   "categorycode", "dateenrolled", "dateexpiry", "borrowernotes", "sex", "password", "flags",
                   "userid", "sort1", "sort2", "privacy", "lastseen", "lang", "updated_on")
        previous = None
        for b in range(1, users + 1):
            branch_no = bisect_right(self.branch_cum, rng.random() * self.branch_cum[-1])
            branch = BRANCHES[branch_no]
            staff = b in self.staff
            category = "S" if staff else rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
            if previous and b % 50 == 0:  # a namesake of the previous borrower
                first, surname = previous
            else:
                first, surname = rng.choice(FIRST), rng.choice(SURNAMES)
            previous = (first, surname)
            if category == "J":
                born = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(3650))
            elif category == "ST":
                born = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(4000))
            elif category == "SC":
                born = dob_base + dt.timedelta(days=rng.randrange(12000))
            else:
                born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(22000))
            number = f"2{1000 + branch_no:04d}{b:08d}"
            card = number + luhn(number)
            userid = (first[0] + surname.replace("'", "").replace(" ", "") + str(b)).lower()
            city, zipcode = rng.choice(CITIES)
            privacy = rng.choices((1, 0, 2), (85, 8, 7))[0]
            enrolled = rng.randrange(-3000, self.ndays - 30)
            enrolled_day = (self.first + dt.timedelta(days=enrolled)).isoformat()
            expiry_day = (self.first + dt.timedelta(days=enrolled + 365 * rng.randint(1, 12))).isoformat()
            seen = self.days[rng.randrange(max(0, enrolled), self.ndays)] + " " + rng.choice(self.times)
            rows.append((
                b, card, surname, first, rng.choice(("Mr", "Ms", "Mx", "Dr", N, N, N)),
                f"{rng.randint(1, 9999)} {rng.choice(STREETS)}", city, zipcode, "USA",
                userid + "@example.org" if rng.random() < 0.8 else N,
                f"(555) {rng.randrange(200, 999)}-{rng.randrange(10000):04d}",
                f"(555) {rng.randrange(200, 999)}-{rng.randrange(10000):04d}" if rng.random() < 0.4 else N,
                N, born.isoformat(), branch, category, enrolled_day, expiry_day,
                "Prefers large print." if rng.random() < 0.02 else N, rng.choice("FM"),
                "$2a$08$" + format(rng.getrandbits(200), "053x")[:53], 1 if staff else 0, userid,
                rng.choice(("", "ADULT", "YA", "HOMEBOUND")), N, privacy, seen, "default", seen))
            self.branch_of[b], self.category_of[b], self.privacy_of[b] = branch, category, privacy
            # How much each borrower reads: many little, a few a lot, some not at all.
            weights[b] = 0.0 if rng.random() < 0.12 else min(rng.paretovariate(1.3), 40.0)
        rows.append((self.anonymous, "ANONYMOUS", "Anonymous", "Patron", N, "", N, N, N, N, N, N, N, N,
                     BRANCHES[0], "S", self.days[0], "2099-12-31", "AnonymousPatron for anonymized history.", N,
                     "!", 0, "anonymous", N, N, 1, N, "default", self.days[0] + " 00:00:00"))
        self.branch_of[self.anonymous], self.category_of[self.anonymous] = BRANCHES[0], "S"
        self.deleted_template = rows[0]
        for s in self.staff:
            weights[s] = 0.2
        self.borrower_ids = list(range(1, users + 1))
        self.borrower_tickets = lottery(self.borrower_ids, weights[1:])
        for i in range(0, len(rows), BATCH):
            self.put("borrowers", columns, rows[i:i + BATCH])
        self.borrower_columns = columns

    # titles and items -----------------------------------------------------------------------------------------

    def make_catalogue(self):
        rng, N = self.rng, self.N
        titles = max(2000, min(200_000, self.loans // 100 + self.users // 4))
        rows = []
        self.title_of, self.author_of = [""], [""]
        item_biblio, popularity = [0], [0.0]
        for b in range(1, titles + 1):
            title = rng.choice(("The ", "", "", "A ")) + rng.choice(ADJECTIVES) + " " + rng.choice(NOUNS)
            if rng.random() < 0.1:
                title += f" (Book {rng.randint(2, 7)})"
            author = f"{rng.choice(SURNAMES)}, {rng.choice(FIRST)}"
            subject = rng.choice(SUBJECTS)
            year = rng.randint(1950, 2024)
            rows.append((b, "", author, title, N, f"a novel about {subject}" if rng.random() < 0.3 else N,
                         N, N, N, f"Includes bibliographical references. Subject: {subject}.", 0, N, year,
                         self.days[0] + " 10:00:00", self.days[0]))
            self.title_of.append(title)
            self.author_of.append(author)
            weight = min(rng.paretovariate(1.1), 200.0)
            for _ in range(rng.choices((1, 2, 3, 4), (55, 25, 12, 8))[0]):
                item_biblio.append(b)
                popularity.append(weight)
        columns = ("biblionumber", "frameworkcode", "author", "title", "medium", "subtitle", "part_number",
                   "part_name", "unititle", "notes", "serial", "seriestitle", "copyrightdate", "timestamp",
                   "datecreated")
        for i in range(0, len(rows), BATCH):
            self.put("biblio", columns, rows[i:i + BATCH])
        self.item_biblio = item_biblio
        nitems = len(item_biblio) - 1
        self.nitems = nitems
        self.item_ids = list(range(1, nitems + 1))
        self.item_tickets = lottery(self.item_ids, popularity[1:])
        self.item_itype = [""] + [rng.choice(ITYPES) for _ in range(nitems)]
        self.item_location = [""] + [rng.choice(LOCATIONS) for _ in range(nitems)]
        self.item_ccode = [""] + [rng.choice(CCODES) for _ in range(nitems)]
        self.item_branch = [""] + [BRANCHES[bisect_right(self.branch_cum, rng.random() * self.branch_cum[-1])]
                                   for _ in range(nitems)]
        self.item_barcode = [""] + [f"3{1000 + BRANCHES.index(self.item_branch[i]):04d}{i:09d}"
                                    for i in range(1, nitems + 1)]
        self.item_issues = [0] * (nitems + 1)
        self.item_last = [None] * (nitems + 1)  # (borrowernumber, day index) of the last loan
        self.item_onloan = [None] * (nitems + 1)

    # loans, their statistics, renewals and fines --------------------------------------------------------------

    def make_loans(self):
        rng, N, loans = self.rng, self.N, self.loans
        days, times, ndays, today = self.days, self.times, self.ndays, self.today_index
        staff = self.staff
        branch_of = self.branch_of
        item_issues, item_last, item_onloan = self.item_issues, self.item_last, self.item_onloan
        on_loan: set[int] = set()
        spare = iter(rng.sample(self.item_ids, len(self.item_ids)))
        old_cols = ("issue_id", "borrowernumber", "issuer_id", "itemnumber", "date_due", "branchcode", "returndate",
                    "checkin_library", "lastreneweddate", "renewals_count", "timestamp", "issuedate")
        cur_cols = ("issue_id", "borrowernumber", "issuer_id", "itemnumber", "date_due", "branchcode",
                    "lastreneweddate", "renewals_count", "timestamp", "issuedate")
        fine_cols = ("accountlines_id", "issue_id", "borrowernumber", "itemnumber", "date", "amount", "description",
                     "credit_type_code", "debit_type_code", "status", "amountoutstanding", "timestamp",
                     "interface", "branchcode", "manager_id")
        renewal_cols = ("renewal_id", "checkout_id", "renewer_id", "seen", "interface", "timestamp",
                        "renewal_type")
        fine_id = renewal_id = 0
        ntimes = len(times)
        nstaff = len(staff)
        for start in range(0, loans, BATCH):
            n = min(BATCH, loans - start)
            borrowers = rng.choices(self.borrower_tickets, k=n)
            items = rng.choices(self.item_tickets, k=n)
            renewals = rng.choices((0, 1, 2, 3), cum_weights=(78, 92, 98, 100), k=n)
            fates = [rng.random() for _ in range(n)]
            clocks = [rng.random() for _ in range(n)]
            old, current, fines, renewal_rows = [], [], [], []
            for k in range(n):
                issue_id = start + k + 1
                d = issue_id * ndays // (loans + 1)
                b = borrowers[k]
                item = items[k]
                clock = clocks[k]
                t_issue = times[int(clock * ntimes)]
                t_return = times[int(clock * 7919) % ntimes]
                r = renewals[k]
                if d + LOAN_DAYS * r > today:
                    r = (today - d) // LOAN_DAYS
                base = d + LOAN_DAYS * r
                due = base + LOAN_DAYS
                u = fates[k]
                returned = base + 1 + int(u / 0.9 * (LOAN_DAYS - 1)) if u < 0.9 else due + 1 + int((u - 0.9) * 400)
                branch = branch_of[b]
                issued_at = days[d] + " " + t_issue
                due_at = days[due] + " 23:59:00"
                renewed_at = days[base] + " " + t_return if r else N
                if returned > today:
                    if item in on_loan:
                        for item in spare:
                            if item not in on_loan:
                                break
                        else:
                            returned = today  # no item left to lend: treat it as returned today
                if returned > today:
                    on_loan.add(item)
                    item_onloan[item] = days[due]
                    current.append((issue_id, b, staff[issue_id % nstaff], item, due_at, branch, renewed_at, r,
                                    renewed_at if r else issued_at, issued_at))
                    if due < today:
                        fine_id += 1
                        amount = min(today - due, 40) * 25
                        money = f"{amount // 100}.{amount % 100:02d}"
                        fines.append((fine_id, issue_id, b, item, days[today] + " 00:05:00", money, "",
                                      N, "OVERDUE", "UNRETURNED", money, days[today] + " 00:05:00", "cron", N, N))
                else:
                    returned_at = days[returned] + " " + t_return
                    old.append((issue_id, b, staff[issue_id % nstaff], item, due_at,
                                branch, returned_at, branch, renewed_at, r, returned_at, issued_at))
                    if returned > due:
                        fine_id += 1
                        amount = min(returned - due, 40) * 25
                        money = f"{amount // 100}.{amount % 100:02d}"
                        paid = u < 0.985
                        fines.append((fine_id, issue_id, b, item, returned_at, money, "", N, "OVERDUE",
                                      "RETURNED", "0.00" if paid else money, returned_at, "intranet", branch,
                                      N))
                        if paid:
                            fine_id += 1
                            fines.append((fine_id, N, b, N, returned_at, "-" + money, "", "PAYMENT", N, N,
                                          "0.00", returned_at, "intranet", branch, staff[fine_id % nstaff]))
                for j in range(1, r + 1):
                    renewal_id += 1
                    at = days[d + LOAN_DAYS * j] + " " + t_return
                    opac = (j + issue_id) % 3 != 0
                    renewal_rows.append((renewal_id, issue_id, b if opac else staff[renewal_id % nstaff], 1,
                                         "opac" if opac else "intranet", at, "Manual"))
                item_issues[item] += 1
                item_last[item] = (b, d)
            self.put("old_issues", old_cols, old)
            self.put("issues", cur_cols, current)
            self.put("accountlines", fine_cols, fines)
            self.put("checkout_renewals", renewal_cols, renewal_rows)
            if self.progress:
                self.progress(start + n, loans, "loans")
        self.fine_id = fine_id
        # One statistics row per issue, renewal and return, derived in SQL once everything is loaded.
        self.counts["statistics"] = loans + self.counts.get("old_issues", 0) + renewal_id

    def make_items(self):
        rng, N, days = self.rng, self.N, self.days
        columns = ("itemnumber", "biblionumber", "biblioitemnumber", "barcode", "dateaccessioned", "homebranch",
                   "price", "replacementprice", "datelastborrowed", "datelastseen", "notforloan", "itemcallnumber",
                   "issues", "holdingbranch", "location", "permanent_location", "onloan", "cn_source", "ccode",
                   "itype", "copynumber")
        rows, last_rows = [], []
        for i in range(1, self.nitems + 1):
            bib = self.item_biblio[i]
            ccode = self.item_ccode[i]
            author = self.author_of[bib]
            if ccode in ("FIC", "JUV"):
                callnumber = f"{'J ' if ccode == 'JUV' else ''}FIC {author.split(',')[0].upper()}"
            else:
                callnumber = f"{rng.randrange(1000):03d}.{rng.randrange(100):02d} {rng.choice(DEWEY_AUTHORS)}"
            last = self.item_last[i]
            branch = self.item_branch[i]
            price = f"{rng.randint(8, 60)}.{rng.choice(('00', '95', '99', '50'))}"
            rows.append((i, bib, bib, self.item_barcode[i], days[0], branch, price, price,
                         days[last[1]] if last else N, (days[last[1]] + " 12:00:00") if last else N, 0, callnumber,
                         self.item_issues[i], branch, self.item_location[i], self.item_location[i],
                         self.item_onloan[i] or N, "ddc", ccode, self.item_itype[i], "1"))
            if last:
                last_rows.append((len(last_rows) + 1, i, last[0], days[last[1]] + " 12:00:00"))
            if len(rows) == BATCH:
                self.put("items", columns, rows)
                rows = []
        self.put("items", columns, rows)
        for start in range(0, len(last_rows), BATCH):
            self.put("items_last_borrower", ("id", "itemnumber", "borrowernumber", "created_on"),
                     last_rows[start:start + BATCH])

    # holds ----------------------------------------------------------------------------------------------------

    def make_holds(self):
        rng, N, days, holds, ndays, today = self.rng, self.N, self.days, self.holds, self.ndays, self.today_index
        columns = ("reserve_id", "borrowernumber", "reservedate", "biblionumber", "branchcode", "cancellationdate",
                   "cancellation_reason", "reservenotes", "priority", "found", "timestamp", "itemnumber",
                   "waitingdate", "expirationdate", "suspend", "itemtype", "item_level_hold")
        queue_length: dict[int, int] = {}
        for start in range(0, holds, BATCH):
            n = min(BATCH, holds - start)
            borrowers = rng.choices(self.borrower_tickets, k=n)
            items = rng.choices(self.item_tickets, k=n)
            current, old = [], []
            for k in range(n):
                reserve_id = start + k + 1
                d = reserve_id * ndays // (holds + 1)
                b, item = borrowers[k], items[k]
                bib = self.item_biblio[item]
                branch = self.branch_of[b] if rng.random() < 0.85 else rng.choice(BRANCHES)
                u = rng.random()
                placed = days[d]
                t = rng.choice(self.times)
                expires = d + 180
                if today - d < 45 and u < 0.7:
                    if u < 0.2:
                        found, itemnumber, waiting, priority = "W", item, days[min(today, d + 3)], 0
                    elif u < 0.25:
                        found, itemnumber, waiting, priority = "T", item, N, 0
                    else:
                        queue_length[bib] = priority = queue_length.get(bib, 0) + 1
                        found, itemnumber, waiting = N, N, N
                    current.append((reserve_id, b, placed, bib, branch, N, N, N, priority, found,
                                    placed + " " + t, itemnumber, waiting, days[expires], 1 if u > 0.66 else 0,
                                    N, 0))
                    continue
                if u < 0.72:  # filled
                    filled = min(today, d + 1 + int(u * 40))
                    old.append((reserve_id, b, placed, bib, branch, N, N, N, 0, "F", days[filled] + " " + t, item,
                                days[max(d, filled - 2)], days[expires], 0, N, 0))
                elif u < 0.9:  # cancelled by the user or staff
                    ended = min(today, d + 1 + int((u - 0.72) * 300))
                    old.append((reserve_id, b, placed, bib, branch, days[ended],
                                rng.choice((N, N, "NOT_NEEDED", "WITHDRAWN")), N, 1, N, days[ended] + " " + t, N, N,
                                days[expires], 0, N, 0))
                else:  # expired, not filled in time
                    ended = min(today, expires + 1)
                    old.append((reserve_id, b, placed, bib, branch, days[ended], N, N, 1, N,
                                days[ended] + " 00:10:00", N, N, days[expires], 0, N, 0))
            self.put("reserves", columns, current)
            self.put("old_reserves", columns, old)
            if self.progress:
                self.progress(start + n, holds, "holds")

    # OPAC searches, logs, preferences -------------------------------------------------------------------------

    def make_searches(self):
        rng, days, times, ndays = self.rng, self.days, self.times, self.ndays
        searches = self.loans // 4
        terms = SUBJECTS + [f"{a} {n}".lower() for a in ADJECTIVES[:20] for n in NOUNS[:20]]
        query_desc = [f"kw,wrdl: {t}" for t in terms]
        query_cgi = [f"idx=kw&q={t.replace(' ', '%20')}&sort_by=relevance" for t in terms]
        columns = ("id", "userid", "sessionid", "query_desc", "query_cgi", "type", "total", "time")
        session, session_key = "", None
        for start in range(0, searches, BATCH):
            n = min(BATCH, searches - start)
            borrowers = rng.choices(self.borrower_tickets, k=n)
            picks = [int(rng.random() * len(terms)) for _ in range(n)]
            rows = []
            for k in range(n):
                sid = start + k + 1
                d = sid * ndays // (searches + 1)
                b = borrowers[k]
                if (b, d) != session_key:
                    session_key, session = (b, d), format(rng.getrandbits(128), "032x")
                p = picks[k]
                rows.append((sid, b, session, query_desc[p], query_cgi[p], "biblio", (p * 37 + sid) % 400,
                             days[d] + " " + times[(sid * 7) % len(times)]))
            self.put("search_history", columns, rows)

    def make_action_logs(self):
        rng, days = self.rng, self.days
        columns = ("action_id", "timestamp", "user", "module", "action", "object", "info", "interface", "script")
        rows, action_id = [], 0
        for b in range(1, self.users + 1):
            d = rng.randrange(self.ndays)
            action_id += 1
            rows.append((action_id, days[d] + " 11:00:00", rng.choice(self.staff), "MEMBERS", "MODIFY", b,
                         "{\"email\":\"changed\"}", "intranet", "/cgi-bin/koha/members/memberentry.pl"))
            if rng.random() < 0.3:
                action_id += 1
                rows.append((action_id, days[d] + " 11:05:00", b, "CIRCULATION", "ISSUE", b,
                             str(rng.choice(self.item_ids)), "opac", "/cgi-bin/koha/sco/sco-main.pl"))
            if len(rows) >= BATCH:
                self.put("action_logs", columns, rows)
                rows = []
        self.put("action_logs", columns, rows)

    def make_privacy_map(self):
        """A few rows in each of Koha's other tables that tie a patron to what they read, asked for or were sent."""
        rng, N, days, times, today = self.rng, self.N, self.days, self.times, self.today_index
        n = max(5, self.users // 20)
        patrons = [b for b in self.borrower_ids if b not in self.staff] or self.borrower_ids
        nbib = len(self.title_of) - 1

        def when(d=None):
            return days[rng.randrange(self.ndays) if d is None else d] + " " + rng.choice(times)

        def pick():
            return rng.choice(patrons)

        def bib():
            return rng.randint(1, nbib)

        staff = self.staff
        rows = []
        for i in range(1, n + 1):
            b, at = pick(), when()
            rows.append((i, N, b, "An item you requested is waiting", f"Dear patron, {self.title_of[bib()]} is"
                         " ready for pick-up.", "HOLD", rng.choice(("email", "sms", "print")),
                         rng.choice(("sent", "sent", "failed", "pending")), at, at, f"patron{b}@example.org",
                         "library@example.org"))
        self.put("message_queue", ("message_id", "letter_id", "borrowernumber", "subject", "content", "letter_code",
                                   "message_transport_type", "status", "time_queued", "updated_on", "to_address",
                                   "from_address"), rows)
        self.put("reviews", ("reviewid", "borrowernumber", "biblionumber", "review", "approved", "datereviewed"),
                 [(i, pick(), bib(), rng.choice(("Could not put it down.", "Too long.", "Helped me a lot.")),
                   rng.choice((0, 1)), when()) for i in range(1, n + 1)])
        self.put("tags_all", ("tag_id", "borrowernumber", "biblionumber", "term", "language", "date_created"),
                 [(i, pick(), bib(), rng.choice(SUBJECTS), N, when()) for i in range(1, n + 1)])
        shelves = []
        for i in range(1, n + 1):
            at = when()
            shelves.append((i, rng.choice(("To read", "Favourites", "For my thesis", "Kids")), pick(),
                            rng.choice((0, 0, 1)), "title", at, at))
        self.put("virtualshelves", ("shelfnumber", "shelfname", "owner", "public", "sortfield", "lastmodified",
                                    "created_on"), shelves)
        self.put("virtualshelfcontents", ("shelfnumber", "biblionumber", "flags", "dateadded", "borrowernumber"),
                 [(s[0], bib(), N, when(), s[2]) for s in shelves for _ in range(rng.randint(1, 4))])
        shares = []
        for i, s in enumerate(shelves[: max(1, n // 2)], start=1):
            if i % 3:  # accepted: names the patron it is shared with
                shares.append((i, s[0], pick(), N, when()))
            else:  # an invitation not yet accepted
                shares.append((i, s[0], N, format(rng.getrandbits(40), "010x"), when()))
        self.put("virtualshelfshares", ("id", "shelfnumber", "borrowernumber", "invitekey", "sharedate"), shares)
        rows = []
        for i in range(1, n + 1):
            d = rng.randrange(self.ndays)
            status = rng.choice(("ASKED", "ACCEPTED", "REJECTED", "AVAILABLE"))
            manager = rng.choice(staff) if status != "ASKED" else N
            rows.append((i, pick(), days[d], manager, days[min(today, d + 3)] if manager != N else N, status,
                         self.author_of[bib()][:80], self.title_of[bib()], when(min(today, d + 3)),
                         rng.choice(BRANCHES)))
        self.put("suggestions", ("suggestionid", "suggestedby", "suggesteddate", "managedby", "manageddate", "STATUS",
                                 "author", "title", "date", "branchcode"), rows)
        rows = []
        for i in range(1, n + 1):
            d = rng.randrange(self.ndays)
            done = rng.random() < 0.7
            rows.append((i, pick(), bib(), rng.choice(BRANCHES), "COMP" if done else "REQ", days[d], when(d),
                         days[min(today, d + 20)] if done else N, "Book", "FreeForm", "Needed for my course."))
        self.put("illrequests", ("illrequest_id", "borrowernumber", "biblio_id", "branchcode", "status", "placed",
                                 "updated", "completed", "medium", "backend", "notesopac"), rows)
        rows = []
        for i in range(1, n + 1):
            at = when()
            rows.append((i, pick(), bib(), N, rng.choice(BRANCHES), "Chapter 3", "45-60",
                         rng.choice(("REQUESTED", "COMPLETED", "CANCELED")), rng.choice(("PHOTOCOPY", "SCAN")), at,
                         at))
        self.put("article_requests", ("id", "borrowernumber", "biblionumber", "itemnumber", "branchcode", "title",
                                      "pages", "status", "format", "created_on", "updated_on"), rows)
        self.put("borrower_modifications", ("timestamp", "verification_token", "changed_fields", "borrowernumber",
                                            "email", "phone"),
                 [(when(), "", "email,phone", b, f"new{b}@example.org", "(555) 010-0000")
                  for b in rng.sample(patrons, min(len(patrons), n))])
        rows = []
        for i in range(1, n + 1):
            b, item = pick(), rng.choice(self.item_ids)
            rows.append((i, "$2a$08$" + format(rng.getrandbits(200), "053x")[:53], 1, self.branch_of[b],
                         self.category_of[b], days[0], rng.choice("FM"), when(), self.item_branch[item],
                         rng.choice(("issue", "return", "renew")), item, self.item_itype[item],
                         self.item_branch[item], self.item_branch[item], self.item_location[item],
                         self.item_ccode[item]))
        self.put("pseudonymized_transactions", ("id", "hashed_borrowernumber", "has_cardnumber", "branchcode",
                                                "categorycode", "dateenrolled", "sex", "datetime",
                                                "transaction_branchcode", "transaction_type", "itemnumber",
                                                "itemtype", "homebranch", "holdingbranch", "location", "ccode"), rows)
        rows = []
        for i in range(1, n + 1):
            d = rng.randrange(self.ndays)
            done = d < today - 30
            rows.append((i, pick(), when(d), bib(), rng.choice(BRANCHES), "fulfilled" if done else "requested",
                         when(d), N, 1 if done else 0, when(min(today, d + 14)) if done else N, 0))
        self.put("recalls", ("recall_id", "patron_id", "created_date", "biblio_id", "pickup_library_id", "status",
                             "timestamp", "item_id", "completed", "completed_date", "item_level"), rows)
        self.put("linktracker", ("id", "biblionumber", "itemnumber", "borrowernumber", "url", "timeclicked"),
                 [(i, (b := bib()), N, pick(), f"https://ebooks.example.org/read/{b}", when())
                  for i in range(1, n + 1)])
        rows = []
        for i in range(1, n + 1):
            at = when()
            rows.append((i, rng.randint(1, 3), pick(), at, N, at, rng.choice(BRANCHES)))
        self.put("club_enrollments", ("id", "club_id", "borrowernumber", "date_enrolled", "date_canceled",
                                      "date_created", "branchcode"), rows)
        # Patrons deleted from Koha: their rows moved to deletedborrowers, numbers after the AnonymousPatron's.
        columns = tuple(c for c in self.borrower_columns)
        rows = []
        for k in range(1, max(2, n // 4) + 1):
            b = self.anonymous + k
            first, surname = rng.choice(FIRST), rng.choice(SURNAMES)
            number = f"2{1000:04d}{b:08d}"
            seen = when()
            row = dict(zip(columns, self.deleted_template))
            row.update(borrowernumber=b, cardnumber=number + luhn(number), surname=surname, firstname=first,
                       userid=f"deleted{b}", updated_on=seen, lastseen=seen, dateofbirth=days[0])
            rows.append(tuple(row[c] for c in columns))
        self.put("deletedborrowers", columns, rows)

    def make_preferences(self):
        N = self.N
        rows = [
            ("Version", schema.VERSIONS[schema.DEFAULT_VERSION]["Version"], N,
             "The Koha database version. WARNING: Do not change this value manually, it is maintained by the"
             " webinstaller", N),
            ("AnonymousPatron", str(self.anonymous), N, "Borrowernumber of the patron loans are anonymized to",
             "Integer"),
            ("OPACPrivacy", "1", N, "Let patrons choose to keep their reading history", "YesNo"),
            ("StoreLastBorrower", "1", N, "Keep the last borrower of each item", "YesNo"),
            ("EnableOpacSearchHistory", "1", N, "Keep search history of logged-in patrons", "YesNo"),
            ("CirculationLog", "0", N, "Log circulation actions", "YesNo"),
            ("KohaAdminEmailAddress", "library@example.org", N, "", "Free"),
        ]
        self.put("systempreferences", ("variable", "value", "options", "explanation", "type"), rows)
        categories = [(code, description, kind, "default") for code, (description, kind) in CATEGORY_ROWS.items()]
        self.put("categories", ("categorycode", "description", "category_type", "default_privacy"), categories)
