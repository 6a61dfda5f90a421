"""Starting the demo afresh: ``closedstacks demo --reset`` deletes what the demo wrote in its data directory.

Only where the demo was made: making it writes ``demo.marker`` beside ``demo.sqlite3``, saying whether the
directory was the demo's alone. A directory without the marker, or one the demo shares with a real library
(its database, or files that were there before the demo), is refused and nothing is deleted. The keys the
settings generate (secret_key, encryption_key, audit_signing_key) and the collected static files are kept:
they hold nothing of the demo's and any installation in the directory may be using them.

No Django here: this runs before the settings are loaded, so it can delete the database before anything
opens it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

MARKER = "demo.marker"
DATABASES = ("demo.sqlite3", "demo-koha.sqlite3")
SQLITE_SIDECARS = ("", "-wal", "-shm", "-journal")
# What using the demo writes into the data directory besides its databases: productions' files, uploaded
# documents, e-mail written to files, the audit anchor. A real installation in the same directory writes them too.
WRITTEN = ("productions", "files", "outbox", "audit-anchor.log")
# A real installation's database in the same directory (the settings' default name).
REAL_DATABASE = "closedstacks.sqlite3"


class NotADemo(Exception):
    """The data directory is not (only) the demo's: nothing was deleted."""


def demo_exists(data_dir: Path) -> bool:
    return (data_dir / DATABASES[0]).exists()


def shared(data_dir: Path) -> bool:
    """Whether the directory holds something a real library may own (asked before the demo is first made)."""
    return (data_dir / REAL_DATABASE).exists() or any((data_dir / name).exists() for name in WRITTEN)


def mark(data_dir: Path, *, alone: bool) -> None:
    """Mark the directory's demo.sqlite3 as the demo's, made now (``alone``: nothing else was there)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / MARKER).write_text(json.dumps({
        "made_by": "closedstacks demo", "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "alone": alone}) + "\n")


def _marker(data_dir: Path) -> dict:
    path = data_dir / MARKER
    try:
        marker = json.loads(path.read_text())
    except FileNotFoundError:
        raise NotADemo(f"{data_dir} has no {MARKER}, so its database is not known to be a demo one; "
                       "nothing was deleted") from None
    except (OSError, ValueError):
        raise NotADemo(f"{path} cannot be read as a demo marker; nothing was deleted") from None
    if not isinstance(marker, dict) or marker.get("made_by") != "closedstacks demo":
        raise NotADemo(f"{path} is not a demo marker; nothing was deleted")
    return marker


def to_delete(data_dir: Path) -> list[Path]:
    """What a reset deletes, after checking it may: raises NotADemo otherwise."""
    marker = _marker(data_dir)
    if not marker.get("alone") or (data_dir / REAL_DATABASE).exists():
        raise NotADemo(f"{data_dir} is shared with another installation (it held {REAL_DATABASE} or its files "
                       "when the demo was made), so its files cannot be told apart; nothing was deleted. "
                       "Use another CLOSEDSTACKS_DATA_DIR for the demo")
    names = [db + sidecar for db in DATABASES for sidecar in SQLITE_SIDECARS] + list(WRITTEN)
    return [path for path in (data_dir / name for name in names) if path.exists() or path.is_symlink()] + [
        data_dir / MARKER]


def reset(data_dir: Path) -> list[Path]:
    """Delete the demo's files in ``data_dir`` (checked first: NotADemo and nothing deleted); return them."""
    paths = to_delete(data_dir)
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    return paths
