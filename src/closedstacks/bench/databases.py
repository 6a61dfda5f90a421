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


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def postgres_reachable(url: str) -> str | None:
    """None if the server answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(_with_database(url, "postgres"), connect_timeout=5):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@contextlib.contextmanager
def scratch_database(engine: str, postgres_url: str = "postgres://postgres@127.0.0.1:5432/postgres"):
    """Yield a database URL for a new empty database of ``engine`` (sqlite or postgresql)."""
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
        admin = _with_database(postgres_url, "postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield _with_database(postgres_url, name)
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    else:
        raise ValueError(f"unknown database engine {engine!r}; use sqlite or postgresql")
