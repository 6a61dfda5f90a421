"""Productions over JSON: their manifests, for the people on the matter. Files are downloaded from the pages."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from ninja import Router, Schema

from closedstacks.access.api import Scope
from closedstacks.audit.trail import record
from closedstacks.matters import reading
from closedstacks.records.models import Production, Release

router = Router(tags=["productions"])


class FileOut(Schema):
    name: str
    kind: str
    records: int
    bates_from: str
    bates_to: str
    bytes: int
    sha256: str


class ReleaseOut(Schema):
    recipient: str
    method: str
    released_at: dt.datetime
    recorded_by: str


class ProductionOut(Schema):
    number: int
    status: str
    review: str
    supersedes: int | None
    requested_at: dt.datetime
    compiled_at: dt.datetime | None
    records: dict[str, int]
    first_number: int
    last_number: int
    manifest_sha256: str
    certification_sha256: str
    files: list[FileOut]
    release: ReleaseOut | None
    url: str


def _out(production: Production, releases: dict[int, Release]) -> dict:
    release = releases.get(production.pk)
    matter = production.matter
    return {
        "number": production.number, "status": production.status, "review": production.review,
        "supersedes": production.supersedes.number if production.supersedes else None,
        "requested_at": production.requested_at, "compiled_at": production.compiled_at,
        "records": production.records, "first_number": production.first_number,
        "last_number": production.last_number, "manifest_sha256": production.manifest_sha256,
        "certification_sha256": production.certification_sha256, "files": production.files,
        "release": {"recipient": release.recipient, "method": release.method, "released_at": release.released_at,
                    "recorded_by": release.recorded_by.display_name} if release else None,
        "url": f"/matters/{matter.reference}/productions/{production.number}/",
    }


@router.get("/matters/{reference}/productions", response=list[ProductionOut], auth=Scope("matter:read"))
def productions(request, reference: str):
    """A matter's productions, newest first, with their manifests (404 for anyone not on the matter)."""
    matter = reading.open_for_files(request.user, reference)
    found = list(Production.objects.filter(matter=matter).select_related("matter", "supersedes")
                 .order_by("-number"))
    releases = {r.production_id: r for r in Release.objects.filter(production__matter=matter)
                .select_related("recorded_by")}
    with transaction.atomic():
        record("production.listed", actor=request.user, obj=matter, details={"productions": len(found)})
    return [_out(p, releases) for p in found]
