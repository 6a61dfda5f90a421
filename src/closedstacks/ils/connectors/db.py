"""Reaching a library system's database: settings, a DB-API connection, and the few dialect differences.

Three drivers: ``mysql`` (MariaDB or MySQL, through PyMySQL), ``postgresql``
(psycopg 3) and ``sqlite`` (the demo library and small tests). SQL is
written once with ``%s`` placeholders; :meth:`Database.sql` turns them into
``?`` for SQLite. Schemas that PostgreSQL keeps in namespaces (Evergreen's
``actor.usr``) become prefixed tables elsewhere (``actor_usr``):
:meth:`Database.table`. Every failure to connect becomes a ConnectorError
that says what to fix, never what was being looked for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from closedstacks.ils.connectors.errors import ConnectorError

DRIVERS = ("mysql", "postgresql", "sqlite")


def _driver_errors() -> tuple[type[Exception], ...]:
    import psycopg
    import pymysql

    return (sqlite3.Error, pymysql.Error, psycopg.Error)


DRIVER_ERRORS = _driver_errors()  # what any of the three drivers raises for a failed query
DEFAULT_PORTS = {"mysql": 3306, "postgresql": 5432}
SCHEMES = {"mysql": "mysql", "mariadb": "mysql", "postgres": "postgresql", "postgresql": "postgresql",
           "sqlite": "sqlite"}


@dataclass(frozen=True)
class ConnectionSettings:
    driver: str
    database: str  # a database name, or a file path for sqlite
    host: str = "127.0.0.1"
    port: int | None = None
    user: str = ""
    password: str = ""

    def __repr__(self) -> str:  # never print the password
        return (f"ConnectionSettings(driver={self.driver!r}, host={self.host!r}, port={self.port!r}, "
                f"database={self.database!r}, user={self.user!r})")

    @classmethod
    def from_url(cls, url: str) -> ConnectionSettings:
        """``mysql://user:pass@host:3306/koha``, ``postgresql://user@host/evergreen``, ``sqlite:////abs/path.db``."""
        parsed = urlparse(url)
        driver = SCHEMES.get(parsed.scheme)
        if driver is None:
            raise ConnectorError(f"Unknown database kind {parsed.scheme!r}: use mysql://, postgresql:// or sqlite://.")
        if driver == "sqlite":
            # As dj-database-url reads them: sqlite:///relative/file, sqlite:////absolute/file.
            path = unquote(parsed.path if parsed.netloc == "" else parsed.netloc + parsed.path)
            return cls(driver="sqlite", database=path[1:] if path.startswith("/") else path)
        return cls(driver=driver, database=parsed.path.lstrip("/"), host=parsed.hostname or "127.0.0.1",
                   port=parsed.port, user=unquote(parsed.username or ""), password=unquote(parsed.password or ""))

    @property
    def where(self) -> str:
        """Where it points, for messages (no user name, no password)."""
        if self.driver == "sqlite":
            return self.database
        return f"{self.host}:{self.port or DEFAULT_PORTS[self.driver]}/{self.database}"


class Database:
    """One open connection to a library system's database."""

    def __init__(self, settings: ConnectionSettings, connection):
        self.settings, self.connection = settings, connection
        self.driver = settings.driver

    def sql(self, text: str) -> str:
        return text.replace("%s", "?") if self.driver == "sqlite" else text

    def date_param(self, value):
        """A date or datetime as this driver compares it: ISO text on SQLite, native elsewhere."""
        if self.driver == "sqlite" and isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return value

    def table(self, name: str) -> str:
        """``schema.table`` on PostgreSQL; ``schema_table`` where schemas are not namespaces."""
        return name if self.driver == "postgresql" or "." not in name else name.replace(".", "_")

    def rows(self, text: str, params: Sequence = (), *, stream: bool = False) -> Iterator[tuple]:
        """Run one query; with ``stream``, rows come from a server-side cursor, never all held at once."""
        if stream and self.driver == "postgresql":
            # A server-side cursor lives in a transaction: open one if the connection has none.
            with self.connection.transaction() if self.connection.autocommit else contextlib.nullcontext(), \
                    self.connection.cursor(name="closedstacks_extract") as cursor:
                cursor.itersize = 2000
                cursor.execute(text, params)
                yield from cursor
            return
        if stream and self.driver == "mysql":
            import pymysql.cursors

            cursor = self.connection.cursor(pymysql.cursors.SSCursor)
        else:
            cursor = self.connection.cursor()
        try:
            cursor.execute(self.sql(text), tuple(params))
            while True:
                batch = cursor.fetchmany(2000)
                if not batch:
                    break
                yield from batch
        finally:
            cursor.close()

    def execute(self, text: str, params: Sequence = ()) -> int:
        """Run one statement that changes rows (in the caller's transaction); how many rows it changed."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(self.sql(text), tuple(params))
            return cursor.rowcount
        finally:
            cursor.close()

    def one(self, text: str, params: Sequence = ()):
        for row in self.rows(text, params):
            return row
        return None

    def columns(self, table: str) -> set[str] | None:
        """The columns of ``table`` (a name from :meth:`table`), or None when it does not exist."""
        if self.driver == "sqlite":
            found = {row[1] for row in self.rows(f"PRAGMA table_info({_quote_ident(table)})")}
            return found or None
        if self.driver == "postgresql":
            schema, _, name = table.rpartition(".")
            found = {row[0] for row in self.rows(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
                (schema or "public", name))}
            return found or None
        # MariaDB answers information_schema queries slowly (tens of milliseconds); SHOW COLUMNS is quick.
        import pymysql

        try:
            return {row[0] for row in self.rows("SHOW COLUMNS FROM `" + _plain(table) + "`")} or None
        except pymysql.err.ProgrammingError:  # 1146: no such table
            return None


def _plain(name: str) -> str:
    if not name.replace("_", "").replace(".", "").isalnum() or not name.isascii():
        raise ValueError(f"not a plain table name: {name!r}")
    return name


def _quote_ident(name: str) -> str:
    return '"' + _plain(name) + '"'


@contextmanager
def connect(settings: ConnectionSettings, *, autocommit: bool = True) -> Iterator[Database]:
    """Open a connection (read-only use is the connector's promise; the credentials should enforce it)."""
    try:
        if settings.driver == "sqlite":
            path = Path(settings.database)
            if not path.exists():
                raise ConnectorError(f"There is no database file at {settings.where}.")
            # Read-only unless writing (generators, retention); as_uri() escapes ?, # and % in the path.
            connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro" if autocommit else str(path),
                                         uri=autocommit, check_same_thread=False)
        elif settings.driver == "mysql":
            import pymysql

            connection = pymysql.connect(host=settings.host, port=settings.port or 3306, user=settings.user,
                                         password=settings.password, database=settings.database,
                                         connect_timeout=10, autocommit=autocommit, charset="utf8mb4")
        elif settings.driver == "postgresql":
            import psycopg

            connection = psycopg.connect(host=settings.host, port=settings.port or 5432, user=settings.user or None,
                                         password=settings.password or None, dbname=settings.database,
                                         connect_timeout=10, autocommit=autocommit)
        else:
            raise ConnectorError(f"Unknown driver {settings.driver!r}.")
    except ConnectorError:
        raise
    except Exception as exc:  # noqa: BLE001 - each driver has its own errors; all mean "cannot connect"
        raise ConnectorError(explain(settings, exc)) from None
    try:
        yield Database(settings, connection)
    finally:
        connection.close()


def explain(settings: ConnectionSettings, exc: Exception) -> str:
    """A driver's refusal in words an administrator can act on (no password, no query text)."""
    text = str(exc).lower()
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    where = settings.where
    if code == 1045 or "password authentication failed" in text or "access denied" in text:
        return f"The database at {where} refused the user name or password."
    if code == 1049 or ("database" in text and "does not exist" in text) or "unknown database" in text:
        return f"There is no database named {settings.database!r} at {where}."
    if code in (2002, 2003, 2005) or "connection refused" in text or "could not connect" in text \
            or "timeout" in text or "timed out" in text or "name or service not known" in text:
        return f"The database server at {where} cannot be reached (is it running, and is the host and port right?)."
    return f"Could not connect to the database at {where}: {type(exc).__name__}."
