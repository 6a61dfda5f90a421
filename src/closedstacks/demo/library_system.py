"""The demo's library system: a Koha-shaped database in a SQLite file beside the demo's own, made once."""

from __future__ import annotations

from pathlib import Path

DEMO_CONNECTION = "demo-koha"
DEMO_USERS, DEMO_LOANS = 3000, 40000


def ensure_demo_library_system(data_dir: Path, *, by, progress=None) -> dict[str, int] | None:
    """Generate the demo Koha library and connect to it, unless that was done before. Returns the counts made.
    ``progress``, if given, is told what is being made."""
    from closedstacks.ils import generators, services
    from closedstacks.ils.connectors.db import ConnectionSettings
    from closedstacks.ils.models import Connection

    path = data_dir / "demo-koha.sqlite3"
    if Connection.objects.filter(name=DEMO_CONNECTION).exists() and path.exists():
        return None
    if progress:
        progress(f"library system: {DEMO_USERS:,} users, {DEMO_LOANS:,} loans")
    counts = generators.get("koha")(ConnectionSettings(driver="sqlite", database=str(path)),
                                      users=DEMO_USERS, loans=DEMO_LOANS, seed=2026)
    connection = Connection.objects.filter(name=DEMO_CONNECTION).first() or Connection(
        name=DEMO_CONNECTION, connector="koha", driver="sqlite", database=str(path), host="")
    services.save_connection(connection, by=by)
    return counts
