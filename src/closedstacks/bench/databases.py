"""Scratch databases: a fresh, empty database made for one run and removed after.

Benchmarks and the tests that must see committed data from several processes
(tampering with the trail, parallel writers) each get their own, so nothing
they do can leak into another run.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def postgres_reachable(url: str) -> str | None:
    """None if the server answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(with_database(url, "postgres"), connect_timeout=5):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@contextlib.contextmanager
def scratch_database(engine: str, postgres_url: str = "postgres://postgres@127.0.0.1:5432/postgres", *,
                     locale: str | None = None):
    """Yield a database URL for a new empty database of ``engine`` (sqlite or postgresql).

    ``locale`` (PostgreSQL): create it from template0 in UTF-8 with that LC_COLLATE and LC_CTYPE — ``"C"`` is how
    Evergreen's installer creates its database. None: the server's default."""
    if engine == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="closedstacks-scratch-"))
        try:
            yield f"sqlite:///{folder / 'scratch.sqlite3'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    elif engine in ("postgresql", "postgres"):
        import psycopg
        from psycopg import sql

        name = f"closedstacks_scratch_{secrets.token_hex(4)}"
        admin = with_database(postgres_url, "postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            if locale is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            else:
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE {} "
                                     "LC_CTYPE {}").format(sql.Identifier(name), sql.Literal(locale),
                                                           sql.Literal(locale)))
        try:
            yield with_database(postgres_url, name)
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    else:
        raise ValueError(f"unknown database engine {engine!r}; use sqlite or postgresql")


MARIADB_URL = "mysql://root@127.0.0.1:3306/mysql"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def mariadb_reachable(url: str = MARIADB_URL) -> str | None:
    """None if the MariaDB server answers, else why not."""
    import pymysql

    parts = urlsplit(url)
    try:
        pymysql.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306, user=parts.username or "root",
                        password=parts.password or "", connect_timeout=5).close()
        return None
    except pymysql.Error as exc:
        return str(exc)


@contextlib.contextmanager
def scratch_ils_database(driver: str, server_url: str | None = None, *, locale: str | None = None):
    """Yield a URL (mysql://, postgresql:// or sqlite:///) for a new empty database to build an ILS in.

    ``locale`` (PostgreSQL only): the database's LC_COLLATE and LC_CTYPE, e.g. ``"C"`` as Evergreen's installer
    makes it (``CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'``)."""
    if driver == "sqlite":
        with scratch_database("sqlite") as url:
            yield url
        return
    if driver == "postgresql":
        with scratch_database("postgresql", server_url or POSTGRES_URL, locale=locale) as url:
            yield "postgresql://" + url.split("://", 1)[1]
        return
    if driver != "mysql":
        raise ValueError(f"unknown driver {driver!r}")
    if locale is not None:
        raise ValueError("locale is for PostgreSQL scratch databases")
    import pymysql

    parts = urlsplit(server_url or MARIADB_URL)
    name = f"closedstacks_ils_{secrets.token_hex(4)}"
    admin = dict(host=parts.hostname or "127.0.0.1", port=parts.port or 3306, user=parts.username or "root",
                 password=parts.password or "", autocommit=True)
    with pymysql.connect(**admin) as conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield with_database(server_url or MARIADB_URL, name)
    finally:
        with pymysql.connect(**admin) as conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
