"""The auditor's pages: the trail, filtered; CSV export; verification status."""

from __future__ import annotations

import csv

from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from closedstacks.audit import reading, services
from closedstacks.audit.filters import EntryFilter
from closedstacks.audit.tables import EntryTable
from closedstacks.audit.trail import record

EXPORT_COLUMNS = ["seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "details",
                  "prev_hash", "hash"]


def _filtered(request):
    """The filter, and the entries it finds as this reader may read them (closedstacks.audit.reading)."""
    entry_filter = EntryFilter(request.GET or None, queryset=reading.readable(request.user))
    return entry_filter, reading.narrowed(entry_filter.qs, request.GET)


def _status_context():
    return {"last": services.last_verification(), "pending": services.verification_pending()}


def entries(request):
    entry_filter, found = _filtered(request)
    table = EntryTable(found)
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    context = {"filter": entry_filter, "table": table, **_status_context()}
    partial = request.headers.get("HX-Target") == "results"
    template = "audit/_results.html" if partial else "audit/entries.html"
    return render(request, template, context)


def status(request):
    return render(request, "audit/_status.html", _status_context())


@require_POST
def verify_now(request):
    services.request_verification(actor=request.user)
    if request.headers.get("HX-Request"):
        return status(request)
    return redirect("audit:entries")


class _Echo:
    def write(self, value):
        return value


def export_csv(request):
    entry_filter, found = _filtered(request)
    queryset = found.order_by("seq")
    with transaction.atomic():
        record("audit.exported", actor=request.user, details={
            "filters": {k: v for k, v in request.GET.items() if k in entry_filter.filters and v},
            "entries": queryset.count(),
        })
    writer = csv.writer(_Echo())
    rows = queryset.values(*EXPORT_COLUMNS, "withheld").iterator(chunk_size=2000)

    def stream():
        yield writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            visible = reading.shown(row, row["withheld"])
            yield writer.writerow([visible[name] for name in EXPORT_COLUMNS])

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response
