"""Building a production's files from the library system, in one streaming pass.

For each kind of record in the scope, in a fixed order: a CSV with a Bates
number on every record (``PREFIX-000001``, sequential across the whole
production) followed by exactly the columns ``COLUMNS`` names for that kind,
and its PDF rendering in parts of at most ``PDF_PART`` records (so memory is
bounded by the part, not by the production or the library system). Every
file is hashed as it is written; the manifest lists each file with its
SHA-256, size, record count and Bates range, and is itself a CSV.

This module knows nothing of matters or states: the procedure decides when a
production may be compiled, and by whom (a later step of this issue).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from closedstacks.ils.connectors.base import COLUMNS, Connector, Scope
from closedstacks.library.choices import RecordKind

PDF_PART = 500  # records per PDF part: WeasyPrint's memory grows with a document's length
ORDER = [kind.value for kind in RecordKind]


@dataclass
class PackedFile:
    name: str
    kind: str
    sha256: str
    size: int
    records: int
    bates_from: str = ""
    bates_to: str = ""


@dataclass
class Package:
    prefix: str
    files: list[PackedFile] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)
    next_number: int = 1

    @property
    def total(self) -> int:
        return sum(self.records.values())


class _HashingWriter:
    """A text file that hashes what it writes (CSV goes through it once)."""

    def __init__(self, path: Path):
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.digest, self.size = hashlib.sha256(), 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(text)

    def close(self) -> tuple[str, int]:
        self.handle.close()
        return self.digest.hexdigest(), self.size


def bates(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def _pdf(path: Path, *, title: str, kind: str, columns: list[str], rows: list[list], context: dict) -> tuple[str, int]:
    from closedstacks.documents import pdf

    data = pdf.render("records/production_part_pdf.html", {
        **context, "title": title, "kind": kind, "columns": columns, "rows": rows})
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest(), len(data)


def _write_kind(connector: Connector, scope: Scope, kind: str, package: Package, out_dir: Path, *, title: str,
                label: str) -> None:
    """One kind: its CSV, and its PDF in parts, numbering each record on from ``package.next_number``."""
    prefix, columns = package.prefix, COLUMNS[kind]
    name = f"{prefix}-{kind}.csv"
    writer = _HashingWriter(out_dir / name)
    table = csv.writer(writer)
    table.writerow(["bates", *columns])
    count, start, part, parts = 0, package.next_number, [], 0

    def flush(part: list[list], parts: int) -> None:
        part_name = f"{prefix}-{kind}-{parts:03d}.pdf"
        sha, size = _pdf(out_dir / part_name, title=title, kind=label, columns=["bates", *columns], rows=part,
                         context={"prefix": prefix})
        package.files.append(PackedFile(part_name, kind, sha, size, len(part), part[0][0], part[-1][0]))

    for row in connector.extract(scope, kind):
        values = [bates(prefix, package.next_number), *("" if row.get(c) is None else row.get(c) for c in columns)]
        table.writerow(values)
        part.append(values)
        package.next_number += 1
        count += 1
        if len(part) >= PDF_PART:
            parts += 1
            flush(part, parts)
            part = []
    if part:
        flush(part, parts + 1)
    sha, size = writer.close()
    package.files.append(PackedFile(name, kind, sha, size, count, bates(prefix, start) if count else "",
                                    bates(prefix, package.next_number - 1) if count else ""))
    package.records[kind] = count


def build(connector: Connector, scope: Scope, *, prefix: str, out_dir: Path, first_number: int = 1,
          title: str = "") -> Package:
    """Write the production's files into ``out_dir`` (which must be empty) and return what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise ValueError(f"{out_dir} is not empty: a production is never written over another")
    package = Package(prefix=prefix, next_number=first_number)
    labels = dict(RecordKind.choices)
    for kind in sorted(scope.kinds, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER)):
        _write_kind(connector, scope, kind, package, out_dir, title=title, label=str(labels.get(kind, kind)))
    package.files.sort(key=lambda f: f.name)
    manifest = io.StringIO()
    out = csv.writer(manifest)
    out.writerow(["file", "kind", "records", "bates_from", "bates_to", "bytes", "sha256"])
    for f in package.files:
        out.writerow([f.name, f.kind, f.records, f.bates_from, f.bates_to, f.size, f.sha256])
    data = manifest.getvalue().encode("utf-8")
    (out_dir / f"{prefix}-manifest.csv").write_bytes(data)
    package.files.append(PackedFile(f"{prefix}-manifest.csv", "manifest", hashlib.sha256(data).hexdigest(),
                                    len(data), 0))
    return package
