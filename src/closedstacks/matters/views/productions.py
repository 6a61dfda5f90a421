"""A production's page (scope and manifest side by side, for counsel's review) and its downloads.

Only the people on the matter reach these (404 for everyone else, see matters/reading.py);
every look and every download is on the audit trail, and every file is
checked against its recorded SHA-256 before it is served.
"""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import render

from closedstacks.audit.trail import record
from closedstacks.documents.responses import download
from closedstacks.library.choices import RecordKind
from closedstacks.matters import reading
from closedstacks.matters.procedure import available
from closedstacks.records import production as productions
from closedstacks.records.models import Production, Release


def _production(request, reference: str, number: int) -> Production:
    matter = reading.open_for_files(request.user, reference)
    found = (Production.objects.filter(matter=matter, number=number)
             .select_related("matter", "scope__instrument", "requested_by", "reviewed_by", "supersedes").first())
    if found is None:
        raise Http404
    return found


def detail(request, reference: str, number: int):
    production = _production(request, reference, number)
    matter = production.matter
    with transaction.atomic():
        record("production.viewed", actor=request.user, obj=production,
               details={"matter": matter.reference, "number": production.number})
    labels = dict(RecordKind.choices)
    later = Production.objects.filter(supersedes=production).first()
    return render(request, "matters/production.html", {
        "matter": matter, "production": production, "scope": production.scope,
        "scope_users": production.scope.users.all(),
        "kinds": [(labels.get(k, k), n) for k, n in production.records.items()],
        "not_kept": [labels.get(k, k) for k in (production.search or {}).get("kinds_not_kept", [])],
        "checks": productions.checks(production) if production.status == Production.Status.READY else [],
        "release": Release.objects.filter(production=production).select_related("recorded_by").first(),
        "superseded_by": later,
        "moves": [m for m in available(matter, request.user) if m.production_page],
        "is_current": later is None,
    })


def _refuse(request, production: Production, name: str, problem: str):
    productions.refused(production, name, problem, by=request.user)
    return render(request, "matters/production_refused.html", {"production": production, "problem": problem},
                  status=409)


def _serve(request, production: Production, name: str, opener, content_type: str):
    """A checked file, as a download: refused (and audited) when it no longer matches its hash."""
    try:
        handle = opener()
    except productions.ProductionFileError as exc:
        return _refuse(request, production, name, str(exc))
    productions.downloaded(production, name, by=request.user)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file(request, reference: str, number: int, name: str):
    production = _production(request, reference, number)
    if productions.file_entry(production, name) is None or production.status != Production.Status.READY:
        raise Http404
    return _serve(request, production, name, lambda: productions.verified_path(production, name).open("rb"),
                  "text/csv" if name.endswith(".csv") else "application/pdf")


def package(request, reference: str, number: int):
    production = _production(request, reference, number)
    if production.status != Production.Status.READY:
        raise Http404
    return _serve(request, production, f"{production.prefix}-production-{production.number}.zip",
                  lambda: productions.package_zip(production), "application/zip")


def record_pdf(request, reference: str, number: int):
    production = _production(request, reference, number)
    if production.status != Production.Status.READY:
        raise Http404
    name = f"{production.prefix}-production-{production.number}-record.pdf"
    data = productions.record_pdf(production)
    productions.downloaded(production, name, by=request.user)
    return download(data, content_type="application/pdf", filename=name)
