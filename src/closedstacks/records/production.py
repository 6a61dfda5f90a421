"""Productions: compiling a matter's approved scope from the library system, and serving its files.

The procedure decides when (``matters/steps/productions.py``): a move asks for
a production with :func:`start`, inside its own transaction, which also queues
the job; the job (:func:`compile_files`, run by ``closedstacks jobs work``) reads
the library system with the read-only credentials, writes the files
(``package.build``: a CSV per kind, PDF parts, the manifest) and the
custodian's certification into a directory of their own, makes them
read-only, and only then records the production as ready. Every file served
is first checked against the SHA-256 recorded when it was written: a file
changed on disk is refused, and the refusal is audited.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from closedstacks.audit.trail import record
from closedstacks.documents import pdf
from closedstacks.ils.connectors.base import ConnectorError, Scope
from closedstacks.ils.lookup import current_connection, resolve
from closedstacks.library.choices import RecordKind
from closedstacks.library.models import LibraryProfile
from closedstacks.records.models import Production, Release
from closedstacks.records.package import build


@dataclass(frozen=True)
class Check:
    """One thing counsel checks a compiled production against its scope. A blocking check that fails means it
    cannot be approved (send it back); any other that fails needs counsel's reason to approve it anyway."""

    name: str
    passed: bool
    statement: str
    blocking: bool


def checks(production: Production) -> list[Check]:
    """What counsel checks the manifest against, in the order the production's page shows them."""
    scope = production.scope
    kinds_out = {f["kind"] for f in production.files} - {"manifest", "certification"}
    numbered = [f for f in production.files
                if f["kind"] not in ("manifest", "certification") and f["name"].endswith(".csv") and f["bates_from"]]
    expected = production.last_number - production.first_number + 1 if production.last_number else 0
    search = production.search or {}
    return [
        Check("only_scoped_kinds", kinds_out <= set(scope.record_kinds),
              _("Only kinds of record the scope names are in the production."), blocking=True),
        Check("every_kind_searched",
              set(production.records) | set(search.get("kinds_not_kept", [])) == set(scope.record_kinds),
              _("Every kind the scope names was searched for."), blocking=False),
        Check("no_gap", production.total == expected,
              _("The numbers run without a gap: %(n)s records, %(range)s.")
              % {"n": production.total, "range": production.bates_range or "—"}, blocking=True),
        Check("no_ambiguous_user", not search.get("ambiguous"),
              _("No scoped user matched more than one person."), blocking=False),
        Check("every_user_found", not search.get("not_found"),
              _("Every scoped user was found in the library system."), blocking=False),
        Check("every_record_numbered", bool(numbered) or production.total == 0,
              _("Every record has a number."), blocking=True),
    ]


class ProductionFileError(Exception):
    """A production's file is missing or no longer matches its recorded SHA-256."""


def directory(production: Production) -> Path:
    return Path(settings.DATA_DIR) / "productions" / str(production.matter_id) / str(production.pk)


def prefix_for(matter) -> str:
    """Bates prefix: one per matter, so numbers never repeat across a matter's productions."""
    return f"CS-{matter.reference}"


def current(matter) -> Production | None:
    """The matter's latest production (the others are superseded)."""
    return matter.productions.order_by("-number").first()


def start(matter, scope, *, by, reason: str = "") -> Production:
    """A new production of ``scope``, superseding the current one; its job commits with the caller's change."""
    previous = current(matter)
    numbers = matter.productions.aggregate(number=Max("number"), last=Max("last_number"))
    production = Production.objects.create(
        matter=matter, number=(numbers["number"] or 0) + 1, scope=scope, supersedes=previous, reason=reason,
        requested_by=by, prefix=prefix_for(matter), first_number=(numbers["last"] or 0) + 1)
    compile_production.enqueue(production.pk)
    return production


@task()
def compile_production(production_id: int) -> dict:
    """The job: write a production's files from the library system (queued by :func:`start`)."""
    return compile_files(production_id)


def _certification(production: Production, files: list[dict], manifest_sha: str, search: dict) -> bytes:
    scope = production.scope
    instrument = scope.instrument
    labels = dict(RecordKind.choices)
    return pdf.render("records/certification_pdf.html", {
        "production": production, "matter": production.matter, "instrument": instrument, "scope": scope,
        "library": LibraryProfile.current(), "custodian": production.requested_by,
        "kinds": [(str(labels.get(k, k)), n) for k, n in production.records.items()],
        "files": files, "manifest_sha256": manifest_sha, "search": search,
        "not_kept": [str(labels.get(k, k)) for k in search.get("kinds_not_kept", [])],
    })


def _build_files(production: Production, connection, out: Path) -> tuple[list[dict], dict]:
    """Resolve the scoped users, extract their records and write the files; (files, search summary)."""
    scope = production.scope
    connector = connection.open()
    with connector.keep_open():
        found = resolve(scope.users.all(), connector)
        ids = tuple(dict.fromkeys(i for r in found if r.state == "found" for i in r.ils_ids))
        offered = set(connector.kinds())
        kinds = tuple(k for k in scope.record_kinds if k in offered)
        made = build(connector, Scope(users=ids, kinds=kinds, date_from=scope.date_from, date_to=scope.date_to),
                     prefix=production.prefix, out_dir=out, first_number=production.first_number,
                     title=_("Matter %(ref)s") % {"ref": production.matter.reference})
    search = {state: sum(1 for r in found if r.state == state) for state in ("found", "ambiguous", "not_found")}
    search["kinds_not_kept"] = [k for k in scope.record_kinds if k not in offered]
    production.records = made.records
    production.last_number = made.next_number - 1 if made.total else 0
    files = [{"name": f.name, "kind": f.kind, "records": f.records, "bates_from": f.bates_from,
              "bates_to": f.bates_to, "bytes": f.size, "sha256": f.sha256} for f in made.files]
    return files, search


def compile_files(production_id: int) -> dict:
    """The job: write the production's files, then record it as ready (or as failed, saying why)."""
    production = Production.objects.select_related("matter", "scope__instrument", "requested_by").get(
        pk=production_id)
    if production.status != Production.Status.COMPILING:
        return {"production": production_id, "status": production.status}
    if Production.objects.filter(supersedes=production).exists():
        return _failed(production, _("A later production superseded this one before it was compiled."))
    connection = current_connection()
    target = directory(production)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{production.pk}-", dir=target.parent))
    try:
        if connection is None:
            raise ConnectorError(_("No library system is connected: an administrator adds one under Library "
                                   "system, then the custodian compiles again."))
        files, search = _build_files(production, connection, work / "files")
        manifest = next(f for f in files if f["kind"] == "manifest")
        certification = _certification(production, files, manifest["sha256"], search)
        name = f"{production.prefix}-certification.pdf"
        (work / "files" / name).write_bytes(certification)
        files.append({"name": name, "kind": "certification", "records": 0, "bates_from": "", "bates_to": "",
                      "bytes": len(certification), "sha256": hashlib.sha256(certification).hexdigest()})
        for path in (work / "files").iterdir():
            path.chmod(0o440)
        os.replace(work / "files", target)
    except (ConnectorError, OSError, ValueError) as exc:
        return _failed(production, str(exc) if isinstance(exc, ConnectorError) else
                       _("The files could not be written (%(error)s).") % {"error": type(exc).__name__})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _ready(production, connection, files, manifest["sha256"], search)


def _people(*people) -> list:
    return [person for person in people if person is not None]


def _ready(production: Production, connection, files: list[dict], manifest_sha: str, search: dict) -> dict:
    from closedstacks.notices.services import notify

    with transaction.atomic():
        locked = Production.objects.select_for_update().get(pk=production.pk)
        locked.status, locked.compiled_at, locked.connection = Production.Status.READY, timezone.now(), \
            connection.name
        locked.records, locked.last_number = production.records, production.last_number
        locked.search, locked.files = search, files
        locked.manifest_sha256 = manifest_sha
        locked.certification_sha256 = files[-1]["sha256"]
        locked.save()
        record("production.compiled", actor=None, obj=locked, details={
            "matter": production.matter.reference, "number": locked.number, "records": locked.records,
            "users": {k: v for k, v in search.items() if k != "kinds_not_kept"},
            "manifest_sha256": manifest_sha, "certification_sha256": locked.certification_sha256})
        matter = production.matter
        notify(_people(matter.counsel, matter.custodian), template="production_ready",
               context={"matter": matter, "production": locked},
               url=f"/matters/{matter.reference}/productions/{locked.number}/", matter=matter)
    return {"production": locked.pk, "status": locked.status, "records": locked.total}


def _failed(production: Production, problem: str) -> dict:
    from closedstacks.notices.services import notify

    with transaction.atomic():
        locked = Production.objects.select_for_update().get(pk=production.pk)
        locked.status, locked.problem = Production.Status.FAILED, problem[:500]
        locked.save()
        record("production.failed", actor=None, obj=locked, details={
            "matter": production.matter.reference, "number": locked.number, "problem": locked.problem})
        matter = production.matter
        notify(_people(matter.custodian), template="production_failed",
               context={"matter": matter, "production": locked},
               url=f"/matters/{matter.reference}/productions/{locked.number}/", matter=matter)
    return {"production": locked.pk, "status": locked.status}


# -- serving the files ----------------------------------------------------------------------------------------


def file_entry(production: Production, name: str) -> dict | None:
    return next((f for f in production.files if f["name"] == name), None)


def verified_path(production: Production, name: str) -> Path:
    """The file's path, after checking it against the SHA-256 recorded when it was written."""
    entry = file_entry(production, name)
    if entry is None or production.status != Production.Status.READY:
        raise ProductionFileError(_("No such file in this production."))
    path = directory(production) / entry["name"]
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        raise ProductionFileError(_("The file %(name)s is missing from the production's directory.")
                                  % {"name": name}) from None
    if digest.hexdigest() != entry["sha256"]:
        raise ProductionFileError(_("The file %(name)s no longer matches the SHA-256 recorded when it was "
                                    "compiled: it has been changed, and is not served.") % {"name": name})
    return path


def record_pdf(production: Production) -> bytes:
    """The production's record (chain of custody): who compiled, reviewed and released it, to whom, how."""
    release = Release.objects.filter(production=production).select_related("recorded_by").first()
    return pdf.render("records/production_record_pdf.html", {
        "production": production, "matter": production.matter, "scope": production.scope,
        "instrument": production.scope.instrument, "release": release, "library": LibraryProfile.current(),
        "generated_at": timezone.now()})


def package_zip(production: Production):
    """Every file (each checked first) and the production's record, as one zip in a temporary file."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in production.files:
            archive.write(verified_path(production, entry["name"]), arcname=entry["name"])
        archive.writestr(f"{production.prefix}-production-{production.number}-record.pdf", record_pdf(production))
    spool.seek(0)
    return spool


def downloaded(production: Production, name: str, *, by) -> None:
    with transaction.atomic():
        record("production.downloaded", actor=by, obj=production, details={
            "matter": production.matter.reference, "number": production.number, "file": name,
            "released": hasattr(production, "release")})


def refused(production: Production, name: str, problem: str, *, by) -> None:
    with transaction.atomic():
        record("production.file_refused", actor=by, obj=production, details={
            "matter": production.matter.reference, "number": production.number, "file": name,
            "problem": problem})
