"""Legal holds in force on the matters a person may open: what is held, never whose records by name."""

from __future__ import annotations

from django.db.models import Count, Max, Min
from django.shortcuts import render

from closedstacks.matters.models import held_for
from closedstacks.records.models import LegalHold


def holds(request):
    rows = (held_for(request.user)
            .values("matter__reference", "record_kinds", "date_from", "date_to")
            .annotate(users=Count("pk"), placed=Min("placed_at"), latest=Max("placed_at"))
            .order_by("placed", "matter__reference"))
    return render(request, "matters/holds.html", {"rows": [
        {**row, "kinds": LegalHold(record_kinds=row["record_kinds"]).kind_labels()} for row in rows]})
