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
import datetime as dt
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.ils.connectors.base import COLUMNS, Connector, Scope
from closedstacks.library.choices import RecordKind

PDF_PART = 500  # records per PDF part: parts are drawn at once in several processes, and memory stays bounded
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


# The one mapping from a CSV column's name to its header in the PDF. A column missing here is
# still shown, under a label made from its name (``column_label``): no column is ever dropped.
LABELS = {
    "bates": _("Bates number"), "user": _("Library system user ID"), "card": _("Library card"),
    "username": _("Username"), "surname": _("Surname"), "first_name": _("First name"),
    "date_of_birth": _("Date of birth"), "address": _("Address"), "email": _("Email"), "phone": _("Phone"),
    "branch": _("Branch"), "category": _("Patron category"), "loan": _("Loan ID"), "checked_out": _("Checked out"),
    "due": _("Due"), "returned": _("Returned"), "renewals": _("Renewals"), "item_barcode": _("Item barcode"),
    "title": _("Title"), "author": _("Author"), "call_number": _("Call number"), "hold": _("Hold ID"),
    "placed": _("Placed"), "status": _("Status"), "ended": _("Ended"), "outcome": _("Outcome"),
    "pickup_branch": _("Pickup branch"), "fine": _("Fine ID"), "date": _("Date"), "amount": _("Amount"),
    "outstanding": _("Outstanding"), "description": _("Description"), "searched_at": _("Searched at"),
    "query": _("Search terms"), "results": _("Results"), "at": _("Time"), "type": _("Type"),
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def column_label(name: str) -> str:
    """The human header of a column: its translated label, or one made from its name."""
    label = LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ").strip().capitalize() or name


def shown(value) -> str:
    """A value as the PDF shows it: a time as local time in the library's zone with the zone's abbreviation
    (naive times from the library system are taken as its local time), a date as a date, the rest as is."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value.isoformat()
    elif isinstance(value, str) and _TIME.match(value.strip()):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return value
    elif isinstance(value, str) and _DATE.match(value.strip()):
        return value.strip()
    else:
        return "" if value is None else str(value)
    zone = timezone.get_current_timezone()
    moment = timezone.make_aware(moment, zone) if timezone.is_naive(moment) else moment.astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z")


def bates(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def _part(*, title: str, kind: str, columns: list[str], rows: list[list], prefix: str) -> dict:
    """What records/part_pdf.py needs to draw one part, in plain values (it may run in another process): the
    table to draw, or — when its text needs shaping or a font other than DejaVu Sans — the HTML for WeasyPrint."""
    from closedstacks.records import part_pdf

    headers, values = [column_label(c) for c in columns], [[shown(v) for v in row] for row in rows]
    if not part_pdf.drawable([*headers, title, kind, *(v for row in values for v in row)]):
        from closedstacks.documents import pdf

        return {"html": pdf.render_html("records/production_part_pdf.html", {
            "prefix": prefix, "title": title, "kind": kind, "headers": headers, "rows": values,
            "wide": len(columns) > 9})}
    return {"heading": f"{title} · {kind}" if title else kind, "footer_kind": kind, "headers": headers,
            "rows": values, "words": part_pdf.Words(confidential=str(_("CONFIDENTIAL")), page=str(_("page")),
                                                   continued=str(_("continued")))}


class _Parts:
    """Renders a production's PDF parts, in other processes when there are several (WeasyPrint's layout is the
    cost of a production; it runs on one core per document). A production of one part renders here, starting
    no process. At most a few parts wait at once, so memory stays bounded by the parts, not the production."""

    def __init__(self, package: Package, out_dir: Path, workers: int):
        self.package, self.out_dir, self.workers = package, out_dir, workers
        self.pool = None
        self.waiting: list = []  # (future or html, name, meta)

    def add(self, job: dict, name: str, meta: tuple) -> None:
        if self.pool is None and self.workers > 1 and self.waiting:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            self.waiting = [(self._submit(*held[:1]), *held[1:]) for held in self.waiting]
        self.waiting.append((self._submit(job) if self.pool else job, name, meta))
        if self.pool is None and self.workers <= 1:
            self._drain(0)
        else:
            self._drain(2 * self.workers)

    def _submit(self, job: dict):
        from closedstacks.records.part_pdf import render

        return self.pool.submit(render, job)

    def _drain(self, keep: int) -> None:
        from closedstacks.records.part_pdf import render

        while len(self.waiting) > keep:
            job, name, (kind, records, first, last) = self.waiting.pop(0)
            data = render(job) if isinstance(job, dict) else job.result()
            (self.out_dir / name).write_bytes(data)
            self.package.files.append(PackedFile(name, kind, hashlib.sha256(data).hexdigest(), len(data), records,
                                                 first, last))

    def close(self) -> None:
        try:
            self._drain(0)
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)


def _write_kind(connector: Connector, scope: Scope, kind: str, package: Package, out_dir: Path, *, title: str,
                label: str, parts_out: _Parts) -> None:
    """One kind: its CSV, and its PDF in parts, numbering each record on from ``package.next_number``."""
    prefix, columns = package.prefix, COLUMNS[kind]
    name = f"{prefix}-{kind}.csv"
    writer = _HashingWriter(out_dir / name)
    table = csv.writer(writer)
    table.writerow(["bates", *columns])
    count, start, part, parts = 0, package.next_number, [], 0

    def flush(part: list[list], parts: int) -> None:
        job = _part(title=title, kind=label, columns=["bates", *columns], rows=part, prefix=prefix)
        parts_out.add(job, f"{prefix}-{kind}-{parts:03d}.pdf", (kind, len(part), part[0][0], part[-1][0]))

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


def pdf_workers() -> int:
    """How many processes render a production's PDF parts: CLOSEDSTACKS_PDF_WORKERS, else one per core, at most
    four."""
    configured = os.environ.get("CLOSEDSTACKS_PDF_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


def build(connector: Connector, scope: Scope, *, prefix: str, out_dir: Path, first_number: int = 1,
          title: str = "") -> Package:
    """Write the production's files into ``out_dir`` (which must be empty) and return what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise ValueError(f"{out_dir} is not empty: a production is never written over another")
    package = Package(prefix=prefix, next_number=first_number)
    labels = dict(RecordKind.choices)
    parts = _Parts(package, out_dir, workers=pdf_workers())
    try:
        for kind in sorted(scope.kinds, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER)):
            _write_kind(connector, scope, kind, package, out_dir, title=title, label=str(labels.get(kind, kind)),
                        parts_out=parts)
    finally:
        parts.close()
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
