"""The retention page: each connection's policies; the officer edits them. Rules in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedstacks.ils.models import Connection
from closedstacks.retention import census, confirming, services
from closedstacks.retention.forms import PolicyForm, ScheduleForm
from closedstacks.retention.models import RetentionPolicy, RetentionRun


def _form(policy: RetentionPolicy, data=None) -> PolicyForm:
    return PolicyForm(data, prefix=f"p{policy.pk}", initial={
        "version": policy.version, "keep_days": policy.keep_days, "respect_opt_in": policy.respect_opt_in,
        "keep_outstanding": policy.keep_outstanding, "enabled": policy.enabled})


def policies(request, bound: PolicyForm | None = None, bound_pk: int | None = None, status: int = 200):
    can_manage = "retention:manage" in request.user.scopes
    systems = []
    for connection in Connection.objects.filter(active=True):
        rows = []
        for policy in services.policies_for(connection, by=request.user):
            form = bound if bound is not None and policy.pk == bound_pk else _form(policy)
            rows.append({"policy": policy, "form": form})
        schedule = services.schedule_for(connection)
        scheduling = bound if bound is not None and bound_pk == ("schedule", connection.pk) else ScheduleForm(
            prefix=f"s{connection.pk}", initial={"version": schedule.version, "every_days": schedule.every_days})
        systems.append({"connection": connection, "rows": rows, "schedule": schedule, "schedule_form": scheduling,
                        **_census(connection)})
    return render(request, "retention/policies.html", {
        "systems": systems, "can_manage": can_manage, "buckets": [str(label) for _n, _d, label in census.BUCKETS],
        **_runs()}, status=status)


def _runs() -> dict:
    runs = list(RetentionRun.objects.select_related("connection", "requested_by")[:10])
    return {"runs": runs, "following": any(run.unfinished for run in runs)}


def _census(connection: Connection) -> dict:
    rows = census.history(connection)
    if not rows:
        return {}
    return {"chart": census.chart(rows), "chart_id": f"census-chart-{connection.pk}", "census_rows": [
        {"label": row["label"], "counts": [f"{c:,}" for c in row["counts"]]} for row in rows]}


def runs_status(request):
    """The recent runs table alone, which the page polls while a run is under way."""
    return render(request, "retention/_runs.html", _runs())


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
def start_run(request, pk: int):
    """Start a retention run (or a dry run) of one connection; the job worker does it."""
    from django.db import transaction

    from closedstacks.retention import runs
    from closedstacks.retention.tasks import run_retention

    connection = get_object_or_404(Connection, pk=pk, active=True)
    dry_run = request.POST.get("dry_run") == "yes"
    try:
        if not dry_run and request.POST.get("confirm") != "yes":
            shown = confirming.confirmation(connection, by=request.user)
            return render(request, "retention/confirm_run.html", {"confirmation": shown})
        with transaction.atomic():
            if dry_run:
                run = runs.start(connection, by=request.user, dry_run=True)
            else:
                run = confirming.start_confirmed(connection, by=request.user,
                                                 dry_run_pk=_int(request.POST.get("dry_run_pk")))
            run_retention.enqueue(run.pk)
    except services.PolicyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Run %(n)s started: reload this page to follow it.") % {"n": run.pk})
    return redirect("retention:policies")


@require_POST
def change(request, pk: int):
    policy = get_object_or_404(RetentionPolicy, pk=pk)
    form = _form(policy, request.POST)
    if form.is_valid():
        try:
            services.update_policy(policy, by=request.user, **form.cleaned_data)
        except services.PolicyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved: %(kind)s on %(name)s.") % {
                "kind": policy.get_kind_display(), "name": policy.connection.name})
            return redirect("retention:policies")
    return policies(request, bound=form, bound_pk=policy.pk, status=400)


@require_POST
def schedule(request, pk: int):
    connection = get_object_or_404(Connection, pk=pk, active=True)
    form = ScheduleForm(request.POST, prefix=f"s{connection.pk}")
    if form.is_valid():
        try:
            services.update_schedule(connection, by=request.user, **form.cleaned_data)
        except services.PolicyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved: the schedule of %(name)s.") % {"name": connection.name})
            return redirect("retention:policies")
    return policies(request, bound=form, bound_pk=("schedule", connection.pk), status=400)


def privacy_audit(request):
    """The last privacy audit; the officer runs a new one (POST)."""
    from closedstacks.retention import privacy_audit as scanner
    from closedstacks.retention.models import PrivacyAudit

    can_manage = "retention:manage" in request.user.scopes
    problem, status = "", 200
    if request.method == "POST":
        if not can_manage:
            return render(request, "web/403.html", status=403)
        connection = get_object_or_404(Connection, pk=request.POST.get("connection") or 0, active=True)
        try:
            scanner.run(connection, by=request.user)
        except services.PolicyError as exc:
            problem, status = str(exc), 409
        else:
            return redirect("retention:privacy-audit")
    return render(request, "retention/privacy_audit.html", {
        "audit": PrivacyAudit.objects.select_related("connection", "run_by").first(), "problem": problem,
        "connections": Connection.objects.filter(active=True), "can_manage": can_manage}, status=status)


def privacy_audit_pdf(request, pk: int):
    from closedstacks.documents import pdf
    from closedstacks.documents.responses import download
    from closedstacks.library.models import LibraryProfile
    from closedstacks.retention.models import PrivacyAudit

    audit = get_object_or_404(PrivacyAudit.objects.select_related("connection", "run_by"), pk=pk)
    data = pdf.render("retention/privacy_audit_pdf.html", {"audit": audit, "library": LibraryProfile.current()})
    return download(data, content_type="application/pdf", filename=f"privacy-audit-{audit.pk}.pdf")
