"""Connections to the library system, for an administrator. Rules in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedstacks.library.choices import RecordKind
from closedstacks.records import services
from closedstacks.records.forms import ConnectionForm
from closedstacks.records.models import Connection, LegalHold


def connections(request):
    return render(request, "records/connections.html", {"connections": Connection.objects.all()})


def connection(request, pk: int | None = None):
    instance = get_object_or_404(Connection, pk=pk) if pk else Connection()
    form = ConnectionForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_connection(form.save(commit=False), by=request.user, changed=form.changed_data,
                                             **form.passwords())
        except services.ConnectionError_ as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved. Test the connection to see what it finds."))
            return redirect("records:connection", pk=saved.pk)
    return render(request, "records/connection.html", {"form": form, "connection": instance},
                  status=400 if form.errors else 200)


@require_POST
def test(request, pk: int):
    found = get_object_or_404(Connection, pk=pk)
    report = services.test_connection(found, by=request.user)
    if report.ok:
        messages.success(request, _("The connection works."))
    else:
        messages.error(request, _("The connection does not work: %(problems)s") % {"problems": "; ".join(
            report.problems)})
    return redirect("records:connection", pk=pk)


@require_POST
def remove(request, pk: int):
    services.remove_connection(get_object_or_404(Connection, pk=pk), by=request.user)
    messages.success(request, _("Removed."))
    return redirect("records:connections")


def holds(request):
    """Legal holds in force on the matters this person may open: what is held, never whose records by name."""
    from django.db.models import Count, Max, Min

    rows = (LegalHold.objects.in_force().visible_to(request.user)
            .values("matter__reference", "record_kinds", "date_from", "date_to")
            .annotate(users=Count("pk"), placed=Min("placed_at"), latest=Max("placed_at"))
            .order_by("placed", "matter__reference"))
    return render(request, "records/holds.html", {"rows": [
        {**row, "kinds": LegalHold(record_kinds=row["record_kinds"]).kind_labels()} for row in rows]})


def counts(request, reference: str):
    """Counts per kind for the designated users and dates (POST runs them against the library system)."""
    from closedstacks.access.objects import get_visible_or_404
    from closedstacks.matters.errors import ProcedureError
    from closedstacks.matters.models import Matter
    from closedstacks.records.counting import count_designated, may_count

    matter = get_visible_or_404(Matter, request.user, reference=reference)
    if not may_count(matter, request.user):
        return render(request, "web/403.html", status=403)
    result, problem = None, ""
    if request.method == "POST":
        try:
            result = count_designated(matter, by=request.user)
        except ProcedureError as exc:
            problem = str(exc)
    labels = dict(RecordKind.choices)
    return render(request, "records/counts.html", {
        "matter": matter, "result": result, "problem": problem,
        "rows": [(labels.get(kind, kind), n) for kind, n in result.kinds.items()] if result else [],
        "not_offered": [labels.get(kind, kind) for kind in result.not_offered] if result else [],
    }, status=409 if problem else 200)
