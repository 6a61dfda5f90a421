"""Fill an Evergreen-shaped database with realistic, deterministic test data, fast.

``generate(settings, users=..., loans=...)`` (re)creates the schema
(:mod:`.schema`) and loads: org units and permission groups, users with
names, user names, dates of birth, addresses and home branches, their cards
(about one user in seven also has an older, inactive card), bib records with
titles and authors, call numbers and copies, circulations over the five years
before ``today`` (most checked in, some open, some long overdue; renewal
chains through ``parent_circ``: a renewal is a new circulation whose
``parent_circ`` is the one it renewed, which was "checked in" by the
renewal), aged circulations (without a user), holds (open, fulfilled,
cancelled), aged holds, and ``action.usr_circ_history`` rows for the users who
opted in to keep their reading history (one row per loan, as Evergreen's
trigger keeps it: the first checkout's date, the last renewal's due date and
check-in, ``source_circ`` the last circulation of the chain). Those users'
opt-in is their ``history.circ.retention_start`` setting (``actor.usr_setting``);
about a fifth of all users also keep their hold history
(``history.hold.retention_start``), drawn from a generator of its own so that
every other row stays as it was.

The schema is the one of ``version`` (an Evergreen release of
``schema.VERSIONS``); with ``triggers`` (PostgreSQL) Evergreen's aging and
reading-history triggers are created after the load, so that they act on what
is done to the library afterwards and never double what was loaded. Some
family names are accented, a few in capitals (``NÚÑEZ``), as Evergreen's
C-locale ``lower()`` does not fold them. The users who keep their reading
history opted in as Evergreen lets them: ``history.circ.retention_start``
only (most), ``history.circ.retention_age`` only, or both; the other tables
that tie a user to what they read or asked for (non-catalogued loans, notices,
lists, bookings, purchase requests, messages, activity, transits and hold
notifications, survey answers, the audit copy of ``actor.usr``, routing
lists) get a few rows each.

Everything comes from one ``random.Random(seed)``: the same arguments give
the same database, row for row. ``loans`` is the number of rows in
``action.circulation`` (renewals included). Speed: PostgreSQL loads through
``COPY ... FROM STDIN``; SQLite through ``executemany`` in one transaction
with synchronous writes and the journal off. Secondary indexes are made after
loading.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager

from closedstacks.ils.connectors.db import ConnectionSettings, connect
from closedstacks.ils.connectors.evergreen import schema

DEFAULT_TODAY = dt.datetime(2025, 6, 30, 17, 0, tzinfo=dt.timezone.utc)
YEARS = 5
BATCH = 50_000
DAY = 86_400

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra "
    "Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Dorothy "
    "George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob "
    "Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott "
    "Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick "
    "Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia "
    "Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Ethan Joan Walter Evelyn "
    "Noah Judith Jeremy Megan Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline Gerald Martha Harold "
    "Gloria Sean Teresa Austin Ann Carl Sara Arthur Madison Lawrence Frances Dylan Kathryn Jesse Janice Jordan Jean "
    "Bryan Abigail Billy Alice Joe Judy Bruce Sophia Gabriel Grace Logan Denise Albert Amber Willie Doris Alan "
    "Marilyn Juan Danielle Wayne Beverly Elijah Isabella Randy Theresa Roy Diana Vincent Natalie Ralph Brittany "
    "Eugene Charlotte Russell Marie Bobby Kayla Mason Alexis Philip Lori Louis").split()
FAMILY_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim "
    "Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford "
    "Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman "
    "Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon "
    "Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
    "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer "
    "Hawkins Arnold Pierce Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson "
    "Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Willis "
    "Carpenter Lawrence Sandoval O'Brien Núñez NÚÑEZ Müller Åström Peña ÉLOÏSE-DURAND").split()
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Pine Rd", "Washington Blvd", "Lake Shore Dr",
           "Hillcrest Ave", "River Rd", "Park Pl", "Sunset Blvd", "Church St", "Mill Rd", "Highland Ave")
CITIES = (("Springfield", "IL", "627"), ("Riverton", "WY", "825"), ("Fairview", "OR", "970"),
          ("Greenville", "SC", "296"), ("Franklin", "TN", "370"), ("Clinton", "MS", "390"))
TITLE_ADJECTIVES = ("Silent", "Hidden", "Last", "Lost", "Broken", "Golden", "Secret", "Forgotten", "Burning",
                    "Quiet", "Northern", "Distant", "Little", "Invisible", "Wild", "Bright", "Dark", "Endless",
                    "Glass", "Paper", "Winter", "Summer", "Velvet", "Iron", "Hollow", "Crimson", "Sleeping",
                    "Wandering", "Final", "Unfinished")
TITLE_NOUNS = ("Garden", "River", "House", "City", "Library", "Ocean", "Kingdom", "Letter", "Mountain", "Road",
               "Island", "Forest", "Daughter", "Lighthouse", "Orchard", "Archive", "Harbor", "Empire", "Machine",
               "Station", "Clockmaker", "Cartographer", "Witness", "Season", "Promise", "Atlas", "Mirror",
               "Bridge", "Storm", "Inheritance")
SUBJECTS = ("history", "cooking", "gardening", "birds", "the mind", "money", "the sea", "law", "war", "music",
            "medicine", "physics", "faith", "childhood", "cities", "islands", "time", "poverty", "chess", "grief")
DEWEY = ("133.9", "158.1", "204.4", "305.8", "320.973", "345.02", "362.29", "364.1", "616.85", "641.5", "658.4",
         "780.9", "796.332", "809.3", "910.4", "940.53", "973.7")

# Evergreen's sample org tree: consortium, two systems, four branches, a sub-library.
ORG_UNITS = [
    (1, None, 1, "CONS", "Example Consortium"),
    (2, 1, 2, "SYS1", "Example System 1"),
    (3, 1, 2, "SYS2", "Example System 2"),
    (4, 2, 3, "BR1", "Example Branch 1"),
    (5, 2, 3, "BR2", "Example Branch 2"),
    (6, 3, 3, "BR3", "Example Branch 3"),
    (7, 3, 3, "BR4", "Example Branch 4"),
    (8, 4, 4, "SL1", "Example Sub-library 1"),
]
BRANCHES = (4, 5, 6, 7, 8)
GROUPS = [
    (1, "Users", None, False), (2, "Patrons", 1, True), (3, "Staff", 1, False), (4, "Catalogers", 3, True),
    (5, "Circulators", 3, True), (6, "Local Administrator", 3, True), (7, "Juvenile", 2, True),
    (8, "Adult", 2, True), (9, "Senior", 2, True), (10, "Homebound", 2, True), (11, "Faculty", 2, True),
]
PATRON_PROFILES = (8, 8, 8, 8, 8, 7, 7, 9, 9, 10, 11, 2)
CANCEL_CAUSES = (1, 1, 2, 3, 4, 5, 6, 6)


class _Clock:
    """Seconds since the start of the window → timestamp text, without per-row datetime work."""

    def __init__(self, today: dt.datetime):
        today = today.astimezone(dt.timezone.utc)
        self.start = dt.datetime(today.year - YEARS, today.month, min(today.day, 28), tzinfo=dt.timezone.utc)
        self.now = int((today - self.start).total_seconds())
        days = self.now // DAY + 1500
        self.days = [(self.start + dt.timedelta(days=d)).strftime("%Y-%m-%d ") for d in range(-400, days)]
        self.offset = 400
        self.hms = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00:00" for s in range(DAY)]

    def ts(self, seconds: int | None) -> str | None:
        if seconds is None:
            return None
        return self.days[seconds // DAY + self.offset] + self.hms[seconds % DAY]


class _PostgresLoader:
    def __init__(self, db):
        self.db = db

    @contextmanager
    def load(self, table: str, columns: list[str]):
        cursor = self.db.connection.cursor()
        with cursor.copy(f"COPY {self.db.table(table)} ({', '.join(columns)}) FROM STDIN") as copy:
            write = copy.write_row

            def put(rows):
                for row in rows:
                    write(row)

            yield put

    def finish(self, version: str, triggers: bool):
        cursor = self.db.connection.cursor()
        schema.create_indexes(self.db)
        schema.create_constraints(self.db, version)
        schema.reset_sequences(self.db)
        if triggers:
            schema.create_triggers(self.db, version)
        self.db.connection.commit()
        self.db.connection.autocommit = True
        for table in schema.TABLES:
            cursor.execute(f"ANALYZE {self.db.table(table)}")


class _SqliteLoader:
    def __init__(self, db):
        self.db = db
        connection = db.connection
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -200000")
        connection.execute("PRAGMA temp_store = MEMORY")

    @contextmanager
    def load(self, table: str, columns: list[str]):
        sql = f"INSERT INTO {self.db.table(table)} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        cursor = self.db.connection.cursor()
        yield lambda rows: cursor.executemany(sql, rows)

    def finish(self, version: str, triggers: bool):
        schema.create_indexes(self.db)
        self.db.connection.commit()
        self.db.connection.execute("PRAGMA journal_mode = DELETE")
        self.db.connection.execute("ANALYZE")
        self.db.connection.commit()


def generate(settings: ConnectionSettings, *, users: int, loans: int, holds: int | None = None, seed: int = 1,
             progress: Callable[[int, int, str], None] | None = None,
             today: dt.datetime = DEFAULT_TODAY, version: str | None = None,
             triggers: bool = False) -> dict[str, int]:
    """Build the schema and fill it; returns the number of rows written per table.

    ``version``: the Evergreen release whose schema to build (default ``schema.DEFAULT_VERSION``);
    ``triggers``: create Evergreen's aging and reading-history triggers once loaded (PostgreSQL only).

    ``loans`` circulations (renewals included) go to ``action.circulation``, a tenth as many to
    ``action.aged_circulation``; ``holds`` (default: a quarter of ``loans``) to ``action.hold_request``.
    """
    if users < 1 or loans < 0:
        raise ValueError("generate needs at least one user and a non-negative number of loans")
    holds = loans // 4 if holds is None else holds
    if settings.driver == "sqlite":
        from pathlib import Path

        Path(settings.database).parent.mkdir(parents=True, exist_ok=True)
        Path(settings.database).touch()
    elif settings.driver != "postgresql":
        raise ValueError(f"the Evergreen generator writes PostgreSQL or SQLite, not {settings.driver}")
    version = version or schema.DEFAULT_VERSION
    schema.version_info(version)
    rng = random.Random(seed)
    clock = _Clock(today)
    counts: dict[str, int] = {}
    aged = loans // 10
    total = users * 3 + loans + aged + holds + holds // 10 + users // 2
    done = 0

    def tick(n: int, label: str) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total, label)

    with connect(settings, autocommit=False) as db:
        schema.create(db, indexes=False, triggers=False, constraints=False, version=version)
        db.connection.commit()  # the schema and its seed rows (SQLite's loader sets pragmas outside a transaction)
        loader = _PostgresLoader(db) if db.driver == "postgresql" else _SqliteLoader(db)

        def load(table: str, columns: list[str], rows) -> None:
            """Write ``rows`` (an iterable) in batches, counting them."""
            with loader.load(table, columns) as put:
                batch: list = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= BATCH:
                        put(batch)
                        counts[table] = counts.get(table, 0) + len(batch)
                        tick(len(batch), table)
                        batch = []
                if batch:
                    put(batch)
                    counts[table] = counts.get(table, 0) + len(batch)
                    tick(len(batch), table)

        ts = clock.ts
        random_ = rng.random

        def below(n: int) -> int:  # rng.randrange is ten times slower; this is as deterministic
            return int(n * random_())

        def between(a: int, b: int) -> int:
            return a + int((b - a) * random_())

        load("actor.org_unit", ["id", "parent_ou", "ou_type", "shortname", "name", "email", "phone"],
             [(i, p, t, s, n, f"{s.lower()}@example.org", f"555-01{i:02d}") for i, p, t, s, n in ORG_UNITS])
        load("permission.grp_tree", ["id", "name", "parent", "usergroup", "perm_interval"],
             [(i, n, p, u, "3 years") for i, n, p, u in GROUPS])

        # Users, their addresses and cards.
        user_rows, address_rows, card_rows = [], [], []
        profiles: list[int] = [0] * (users + 1)
        home: list[int] = [0] * (users + 1)
        birth_year: list[int] = [0] * (users + 1)
        post_codes: list[str] = [""] * (users + 1)
        card_id = 0
        for uid in range(1, users + 1):
            if uid % 50 == 0 and user_rows:  # a namesake of the previous user (another date of birth)
                first, family = user_rows[-1][9], user_rows[-1][11]
            else:
                first, family = rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES)
            middle = rng.choice(FIRST_NAMES) if rng.random() < 0.4 else None
            dob = dt.date(1935, 1, 1) + dt.timedelta(days=below(365 * 77))
            profile = rng.choice(PATRON_PROFILES)
            if dob.year > 2008:
                profile = 7
            ou = rng.choice(BRANCHES)
            created = between(-300 * DAY, clock.now - 30 * DAY)
            usrname = _ascii(f"{first[0]}{family}{uid}").lower().replace("'", "")
            if rng.random() < 0.15:  # an older card, replaced (lost, renewed...)
                card_id += 1
                card_rows.append((card_id, uid, f"2999900{card_id:07d}", False))
            card_id += 1
            card_rows.append((card_id, uid, f"2999900{card_id:07d}", True))
            city, state, zip3 = rng.choice(CITIES)
            post_code = f"{zip3}{below(100):02d}"
            address_rows.append((uid, uid, f"{between(1, 9999)} {rng.choice(STREETS)}",
                                 f"Apt {between(1, 40)}" if rng.random() < 0.2 else None, city, state,
                                 post_code, "MAILING"))
            deleted = rng.random() < 0.01
            user_rows.append((
                uid, card_id, profile, usrname, f"{usrname}@example.net" if rng.random() < 0.8 else None,
                3, f"{between(10**8, 10**9)}" if rng.random() < 0.3 else None,
                f"555-{between(200, 999)}-{below(10000):04d}",
                f"555-{between(200, 999)}-{below(10000):04d}" if rng.random() < 0.3 else None,
                first, middle, family, uid, uid, ou, dob.isoformat(), not deleted, deleted, profile == 7,
                ts(created), ts(created + 3 * 365 * DAY), ts(min(clock.now, created + between(DAY, 900 * DAY))),
                f"{first} {middle or ''} {family}".replace("  ", " "), f"{uid:08x}{'0' * 24}", uid,
            ))
            profiles[uid], home[uid], birth_year[uid], post_codes[uid] = profile, ou, dob.year, post_code
        load("actor.usr", ["id", "card", "profile", "usrname", "email", "ident_type", "ident_value", "day_phone",
                           "evening_phone", "first_given_name", "second_given_name", "family_name",
                           "mailing_address", "billing_address", "home_ou", "dob", "active", "deleted", "juvenile",
                           "create_date", "expire_date", "last_update_time", "name_keywords", "passwd", "usrgroup"],
             user_rows)
        load("actor.usr_address", ["id", "usr", "street1", "street2", "city", "state", "post_code", "address_type",
                                   "country"], [(*row, "USA") for row in address_rows])
        load("actor.card", ["id", "usr", "barcode", "active"], card_rows)
        del user_rows, address_rows, card_rows

        # Bib records (titles), call numbers (one per record) and copies (1-3 per call number).
        records = max(20, loans // 40)
        record_rows, simple_rows, cn_rows, copy_rows = [], [], [], []
        first_copy = [0] * (records + 1)
        copies_of = [0] * (records + 1)
        copy_cn: list[int] = [0]
        copy_lib: list[int] = [0]
        copy_id = 0
        for rid in range(1, records + 1):
            author_family, author_first = rng.choice(FAMILY_NAMES), rng.choice(FIRST_NAMES)
            if rng.random() < 0.6:
                title = f"The {rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"
                label = f"FIC {author_family.upper()[:8]}"
            else:
                title = f"A short history of {rng.choice(SUBJECTS)}"
                label = f"{rng.choice(DEWEY)} {author_family.upper()[:3]}"
            if rng.random() < 0.3:
                title += f": {rng.choice(TITLE_ADJECTIVES).lower()} {rng.choice(TITLE_NOUNS).lower()}s"
            author = f"{author_family}, {author_first}"
            year = between(1950, clock.start.year + YEARS)
            record_rows.append((rid, f"ocm{10**7 + rid}", "OCLC", "<record><leader>00000nam a2200000 a 4500"
                                "</leader></record>", ts(between(-400 * DAY, 0))))
            simple_rows.append((rid, f"{title.lower()}{author_family.lower()}", 50, title, author,
                                "Example Press", str(year), f"978{between(10**9, 10**10)}"))
            owning = rng.choice(BRANCHES)
            cn_rows.append((rid, rid, owning, label, label.lower().replace(" ", "")))
            first_copy[rid] = copy_id + 1
            copies_of[rid] = 1 + (rng.random() < 0.5) + (rng.random() < 0.3)
            for n in range(copies_of[rid]):
                copy_id += 1
                lib = owning if n == 0 else rng.choice(BRANCHES)
                copy_rows.append((copy_id, lib, rid, n + 1, f"3999900{copy_id:07d}", "BOOK",
                                  f"{between(5, 60)}.{below(100):02d}", ts(between(-300 * DAY, 0))))
                copy_cn.append(rid)
                copy_lib.append(lib)
        copies = copy_id
        load("biblio.record_entry", ["id", "tcn_value", "tcn_source", "marc", "create_date", "last_xact_id"],
             [(*row, "none") for row in record_rows])
        load("reporter.materialized_simple_record", ["id", "fingerprint", "quality", "title", "author", "publisher",
                                                     "pubdate", "isbn"], simple_rows)
        load("asset.call_number", ["id", "record", "owning_lib", "label", "label_sortkey", "creator", "editor",
                                   "label_class"], [(*row, 1, 1, 1) for row in cn_rows])
        load("asset.copy", ["id", "circ_lib", "call_number", "copy_number", "barcode", "circ_modifier", "price",
                            "create_date", "creator", "editor", "loan_duration", "fine_level"],
             [(*row, 1, 1, 2, 2) for row in copy_rows])
        del record_rows, simple_rows, cn_rows, copy_rows

        # Circulations, in renewal chains; the reading history of opted-in users, one row per chain.
        opted_in = bytearray(users + 1)
        for uid in range(1, users + 1):
            opted_in[uid] = rng.random() < 0.3
        history = []  # (usr, xact_start, copy, due, checkin, source circulation)
        span, now = clock.now, clock.now
        random_ = rng.random

        def circulations():
            # Hot loop: ``int(random() * n)`` rather than randrange, timestamps inlined (see _Clock.ts).
            days, hms, offset = clock.days, clock.hms, clock.offset
            cid = 0
            ndays = span // DAY
            open_copies = set()  # Evergreen lets a copy have one open circulation (only_one_concurrent_checkout)
            while cid < loans:
                r = random_()
                length = 1 if r < 0.75 else 2 if r < 0.9 else 3 if r < 0.97 else 4
                length = min(length, loans - cid)
                uid = int(users * random_() ** 1.7) + 1
                copy = int(copies * random_()) + 1
                lib = copy_lib[copy]
                staff = 1000 + lib
                start = int(ndays * random_()) * DAY + 32_400 + int(39_600 * random_())  # 09:00-20:00
                head_start, parent, head = start, None, cid + 1
                for k in range(length):
                    cid += 1
                    due_day = start // DAY + 21
                    due = due_day * DAY + 86_399
                    renew_at = due - int(3 * DAY * random_())
                    final = not (k < length - 1 and renew_at < now)
                    if not final:  # renewed: checked in by the renewal
                        checkin, stop = renew_at, "RENEW"
                    else:
                        checkin = start + 3_600 + int((due - start + 10 * DAY) * random_())
                        stop = "CHECKIN"
                        if checkin > now or random_() < 0.003:
                            checkin = None
                            stop = "LOST" if due < now - 60 * DAY else None
                            if copy in open_copies:  # already out: this one came back
                                checkin, stop = max(start + 3_600, now - 3_600), "CHECKIN"
                            else:
                                open_copies.add(copy)
                    s_start = days[start // DAY + offset] + hms[start % DAY]
                    s_due = days[due_day + offset] + "23:59:59+00:00"
                    if checkin is None:
                        yield (cid, uid, s_start, None, copy, lib, staff, None, None, 2 - k, "1 day", s_due, None,
                               None, s_start, "21 days", "1 day", "0.10", "5.00", k > 0, False, "default",
                               "default", "default", stop, 200 + lib, None, parent)
                    else:
                        s_checkin = days[checkin // DAY + offset] + hms[checkin % DAY]
                        yield (cid, uid, s_start, s_checkin, copy, lib, staff, staff, lib, 2 - k, "1 day", s_due,
                               s_checkin, s_checkin, s_start, "21 days", "1 day", "0.10", "5.00", k > 0, False,
                               "default", "default", "default", stop, 200 + lib, s_checkin, parent)
                    parent = cid
                    if final:
                        break
                    start = checkin
                if opted_in[uid]:
                    history.append((uid, ts(head_start), copy, s_due, ts(checkin), head))

        load("action.circulation", ["id", "usr", "xact_start", "xact_finish", "target_copy", "circ_lib",
                                    "circ_staff", "checkin_staff", "checkin_lib", "renewal_remaining",
                                    "grace_period", "due_date", "stop_fines_time", "checkin_time", "create_time",
                                    "duration", "fine_interval", "recurring_fine", "max_fine", "desk_renewal",
                                    "opac_renewal", "duration_rule", "recurring_fine_rule", "max_fine_rule",
                                    "stop_fines", "workstation", "checkin_scan_time", "parent_circ"],
             circulations())
        load("action.usr_circ_history", ["id", "usr", "xact_start", "target_copy", "due_date", "checkin_time",
                                         "source_circ"],
             ((i, *row) for i, row in enumerate(history, 1)))
        counts.setdefault("action.usr_circ_history", 0)
        history.clear()

        def aged_circulations():
            # Circulations older than the window, aged: the user is gone, some of their traits are kept.
            for n in range(aged):
                uid = below(users) + 1
                copy = below(copies) + 1
                lib = copy_lib[copy]
                start = -between(1, 365) * DAY + 36_000 + below(30_000)
                due = (start // DAY + 21) * DAY + 86_399
                checkin = start + 3_600 + below(25 * DAY)
                yield (loans + n + 1, post_codes[uid], home[uid], profiles[uid], birth_year[uid], copy_cn[copy],
                       lib, lib, copy_cn[copy], ts(start), ts(checkin), copy, lib, 1000 + lib, 1000 + lib, lib,
                       ts(due), ts(checkin), ts(start), "21 days", "CHECKIN", ts(checkin),
                       1, 0, "1 day", "1 day", False, False, False, "default", "default", "default", False)

        load("action.aged_circulation", ["id", "usr_post_code", "usr_home_ou", "usr_profile", "usr_birth_year",
                                         "copy_call_number", "copy_owning_lib", "copy_circ_lib", "copy_bib_record",
                                         "xact_start", "xact_finish", "target_copy", "circ_lib", "circ_staff",
                                         "checkin_staff", "checkin_lib", "due_date", "checkin_time", "create_time",
                                         "duration", "stop_fines", "checkin_scan_time", "copy_location",
                                         "renewal_remaining", "grace_period", "fine_interval", "phone_renewal",
                                         "desk_renewal", "opac_renewal", "duration_rule", "recurring_fine_rule",
                                         "max_fine_rule", "auto_renewal"], aged_circulations())
        counts.setdefault("action.aged_circulation", 0)

        def hold_requests():
            for hid in range(1, holds + 1):
                uid = int(users * random_() ** 1.5) + 1
                record = below(records) + 1
                some_copy = first_copy[record] + below(copies_of[record])
                r = random_()
                hold_type, target = ("T", record) if r < 0.85 else ("C", some_copy) if r < 0.95 else ("V", record)
                requested = below(span // DAY) * DAY + 28_800 + below(50_000)
                pickup = home[uid] if random_() < 0.8 else rng.choice(BRANCHES)
                capture = fulfilled = cancelled = cause = current = shelf = None
                frozen = False
                r = random_()
                if requested > now - 60 * DAY and r < 0.5:  # still open
                    r = random_()
                    if r < 0.3:
                        capture, current = requested + between(DAY, 10 * DAY), some_copy
                        shelf = capture + between(3_600, DAY)
                        if shelf > now:
                            capture = current = shelf = None
                    elif r < 0.4:
                        capture, current = requested + between(DAY, 5 * DAY), some_copy
                        if capture > now:
                            capture = current = None
                    elif r < 0.5:
                        frozen = True
                elif r < 0.75:
                    capture, current = requested + between(DAY, 20 * DAY), some_copy
                    shelf = capture + between(3_600, DAY)
                    fulfilled = shelf + between(3_600, 7 * DAY)
                    if fulfilled > now:
                        capture = current = shelf = fulfilled = None
                else:
                    cancelled = requested + between(3_600, 90 * DAY)
                    cause = CANCEL_CAUSES[below(len(CANCEL_CAUSES))]
                    if cancelled > now:
                        cancelled = cause = None
                yield (hid, ts(requested), ts(capture), ts(fulfilled), ts(shelf), ts(requested + 365 * DAY),
                       ts(cancelled), cause, target, current, 1000 + pickup if fulfilled else None,
                       pickup if fulfilled else None, home[uid], uid, uid, pickup, 0, pickup, hold_type, True,
                       frozen, ts(shelf), ts(shelf + 7 * DAY) if shelf else None,
                       pickup if shelf and not fulfilled else None)

        load("action.hold_request", ["id", "request_time", "capture_time", "fulfillment_time", "checkin_time",
                                     "expire_time", "cancel_time", "cancel_cause", "target", "current_copy",
                                     "fulfillment_staff", "fulfillment_lib", "request_lib", "requestor", "usr",
                                     "selection_ou", "selection_depth", "pickup_lib", "hold_type", "email_notify",
                                     "frozen", "shelf_time", "shelf_expire_time", "current_shelf_lib"],
             hold_requests())
        counts.setdefault("action.hold_request", 0)

        def aged_holds():
            for n in range(holds // 10):
                uid = below(users) + 1
                record = below(records) + 1
                requested = -between(1, 365) * DAY + 36_000
                done_at = requested + between(DAY, 30 * DAY)
                yield (holds + n + 1, post_codes[uid], home[uid], profiles[uid], birth_year[uid], False, ts(requested),
                       ts(done_at), ts(done_at), record, home[uid], home[uid], 0, home[uid], "T",
                       True, False, True, False, False, False)

        load("action.aged_hold_request", ["id", "usr_post_code", "usr_home_ou", "usr_profile", "usr_birth_year",
                                          "staff_placed", "request_time", "capture_time", "fulfillment_time",
                                          "target", "request_lib", "selection_ou", "selection_depth", "pickup_lib",
                                          "hold_type", "email_notify", "frozen", "mint_condition", "behind_desk",
                                          "phone_notify", "sms_notify"], aged_holds())
        counts.setdefault("action.aged_hold_request", 0)
        load("actor.usr_setting", ["id", "usr", "name", "value"], _opt_ins(opted_in, seed, clock))
        counts.setdefault("actor.usr_setting", 0)
        _privacy_map(db, load, counts, random.Random(f"{seed}:privacy-map"), clock, users=users, records=records,
                     copies=copies, loans=loans, holds=holds, home=home, version=version)
        loader.finish(version, triggers and db.driver == "postgresql")
    return counts


def _ascii(text: str) -> str:
    """``text`` without its accents (user names are ASCII here, as a library's are in practice)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# How the users who keep their reading history opted in (Evergreen's trigger counts either setting): the OPAC's
# checkbox sets the start date; some libraries' staff set an age as well, or the age alone.
CIRC_OPT_INS = (("start",) * 6) + (("both",) * 2) + ("age",) * 2


def _opt_ins(opted_in: bytearray, seed: int, clock: _Clock):
    """The users' opt-ins to keeping their history, as Evergreen stores them (JSON text values): circulation
    history for the users given reading history — ``history.circ.retention_start`` (a date) only, or with
    ``history.circ.retention_age`` (an interval), or the age only — and hold history for about a fifth of all users
    (``history.hold.retention_start``, a few with ``history.hold.retention_age`` too). Drawn from generators of
    their own, so that the rows generated before stay the same for a seed."""
    since = json.dumps(clock.start.date().isoformat())
    draw = random.Random(f"{seed}:hold-history").random
    how = random.Random(f"{seed}:circ-opt-in").choice
    n = 0
    for uid in range(1, len(opted_in)):
        if opted_in[uid]:
            kind = how(CIRC_OPT_INS)
            if kind in ("start", "both"):
                n += 1
                yield (n, uid, "history.circ.retention_start", since)
            if kind in ("age", "both"):
                n += 1
                yield (n, uid, "history.circ.retention_age", json.dumps("5 years"))
        if draw() < 0.2:
            n += 1
            yield (n, uid, "history.hold.retention_start", since)
            if uid % 3 == 0:
                n += 1
                yield (n, uid, "history.hold.retention_age", json.dumps("1 year"))


def _privacy_map(db, load, counts, rng: random.Random, clock: _Clock, *, users: int, records: int, copies: int,
                 loans: int, holds: int, home: list[int], version: str) -> None:
    """A few rows in each of the other tables that tie a user to what they read, asked for, listed or were told
    about (schema's privacy map), linked to real users, records, copies, circulations and holds."""
    ts, below = clock.ts, (lambda n: int(n * rng.random()))
    n = max(3, min(50, users // 20))

    def when() -> str:
        return ts(below(clock.now - DAY) + DAY // 2)

    def user() -> int:
        return below(users) + 1

    def put(table: str, columns: list[str], rows: list) -> None:
        load(table, columns, rows)
        counts.setdefault(table, 0)

    put("action.non_cataloged_circulation", ["id", "patron", "staff", "circ_lib", "item_type", "circ_time"],
        [(i, (u := user()), 1, home[u], 1 + below(3), when()) for i in range(1, n + 1)])
    put("action.in_house_use", ["id", "item", "staff", "org_unit", "use_time"],
        [(i, below(copies) + 1, 1, BRANCHES[below(len(BRANCHES))], when()) for i in range(1, n + 1)])
    put("action.transit_copy", ["id", "source_send_time", "dest_recv_time", "target_copy", "source", "dest",
                                "copy_status"],
        [(i, (t := when()), t, below(copies) + 1, 4, 5, 0) for i in range(1, n + 1)])
    if holds:
        put("action.hold_notification", ["id", "hold", "notify_time", "method", "note"],
            [(i, below(holds) + 1, when(), "email", "Your hold is ready") for i in range(1, n + 1)])
    put("action.survey_response", ["id", "response_group_id", "usr", "survey", "question", "answer", "answer_date",
                                   "effective_date"],
        [(i, i, user(), 1, 1, 1 + below(3), (t := when()), t) for i in range(1, n + 1)])
    put("action_trigger.event_definition", ["id", "owner", "name", "hook", "validator", "reactor", "delay",
                                            "retention_interval"],
        [(1, 1, "7 Day Overdue Email Notification", "checkout.due", "CircIsOverdue", "SendEmail", "7 days", None),
         (2, 1, "Hold Ready for Pickup Email Notification", "hold.available", "HoldIsAvailable", "SendEmail",
          "30 minutes", "1 year")])
    context = "action_trigger.event" not in schema.version_info(version).get("missing", {})
    events = []
    for i in range(1, n + 1):
        circ = i % 2 == 1 and loans
        target = below(loans) + 1 if circ else (below(holds) + 1 if holds else 1)
        events.append((i, target, 1 if circ else 2, (t := when()), t, t, t, "complete", user()))
    put("action_trigger.event", ["id", "target", "event_def", "add_time", "run_time", "update_time",
                                 "complete_time", "state"] + (["context_user"] if context else []),
        [row if context else row[:-1] for row in events])
    put("container.biblio_record_entry_bucket", ["id", "owner", "name", "btype", "pub", "create_time"],
        [(i, user(), f"My list {i}", "bookbag", i % 4 == 0, when()) for i in range(1, n + 1)])
    put("container.biblio_record_entry_bucket_item", ["id", "bucket", "target_biblio_record_entry", "pos",
                                                      "create_time"],
        [(i, 1 + (i - 1) % n, below(records) + 1, i, when()) for i in range(1, 2 * n + 1)])
    put("booking.reservation", ["id", "usr", "xact_start", "request_time", "start_time", "end_time",
                                "target_resource_type", "request_lib", "pickup_lib"],
        [(loans + 10_000_000 + i, (u := user()), (t := when()), t, t, t, 1, home[u], home[u])
         for i in range(1, n + 1)])
    put("acq.user_request", ["id", "usr", "pickup_lib", "request_date", "request_type", "title", "author", "isxn"],
        [(i, (u := user()), home[u], when(), 1, f"{rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS)}",
          f"{rng.choice(FAMILY_NAMES)}, {rng.choice(FIRST_NAMES)}", f"978{below(10**10):010d}")
         for i in range(1, n + 1)])
    message = ["id", "usr", "title", "message", "create_date", "sending_lib"]
    has_pub = "pub" in schema.column_names("actor.usr_message", version)
    put("actor.usr_message", message + (["pub"] if has_pub else []),
        [(i, (u := user()), "Overdue", "Your item is overdue", when(), home[u]) + ((True,) if has_pub else ())
         for i in range(1, n + 1)])
    put("actor.usr_activity", ["id", "usr", "etype", "event_time"],
        [(i, user(), 1 + below(3), when()) for i in range(1, n + 1)])
    # The audit copy of actor.usr: the row as it was before an update, for every twentieth user.
    usr_columns = ", ".join(schema.column_names("actor.usr", version))
    db.connection.cursor().execute(
        f"INSERT INTO {db.table('auditor.actor_usr_history')} (audit_id, audit_time, audit_action, {usr_columns}) "
        f"SELECT id, last_update_time, 'U', {usr_columns} FROM {db.table('actor.usr')} WHERE id % 20 = 0")
    counts["auditor.actor_usr_history"] = users // 20
    put("serial.routing_list_user", ["id", "stream", "pos", "reader"],
        [(i, 1, i, user()) for i in range(1, n + 1)])
