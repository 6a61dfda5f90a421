"""Transparency report pages: the list, one report (figures, chart, narrative, publishing), its PDF and CSV.
The rules are in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedstacks.transparency import charts, services
from closedstacks.transparency.forms import NarrativeForm, NewReportForm, PublishForm
from closedstacks.transparency.models import TransparencyReport


def reports(request, form: NewReportForm | None = None, status: int = 200):
    can_manage = "transparency:manage" in request.user.scopes
    today = timezone.localdate()
    form = form or NewReportForm(initial={"year": today.year - 1, "half": 0, "band_size": 500})
    return render(request, "transparency/list.html", {"reports": TransparencyReport.objects.all(), "form": form,
                                                 "can_manage": can_manage}, status=status)


@require_POST
def create(request):
    form = NewReportForm(request.POST)
    if form.is_valid():
        try:
            report = services.create(by=request.user, **form.cleaned_data)
        except services.ReportError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("transparency:report", pk=report.pk)
    return reports(request, form=form, status=400)


def report(request, pk: int, narrative_form: NarrativeForm | None = None, problem: str = "", status: int = 200):
    found = get_object_or_404(TransparencyReport.objects.select_related("published_by"), pk=pk)
    figures = services.figures_of(found)
    return render(request, "transparency/report.html", {
        "report": found, "figures": figures, "chart": charts.by_type(figures), "problem": problem,
        "can_manage": "transparency:manage" in request.user.scopes and not found.published,
        "narrative_form": narrative_form or NarrativeForm(initial={"version": found.version,
                                                                   "narrative": found.narrative}),
        "publish_form": PublishForm(initial={"version": found.version})}, status=status)


@require_POST
def narrative(request, pk: int):
    found = get_object_or_404(TransparencyReport, pk=pk)
    form = NarrativeForm(request.POST)
    if form.is_valid():
        try:
            services.save_narrative(found, by=request.user, **form.cleaned_data)
        except services.ReportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Narrative saved."))
            return redirect("transparency:report", pk=pk)
    return report(request, pk, narrative_form=form, status=400)


@require_POST
def publish(request, pk: int):
    found = get_object_or_404(TransparencyReport, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        if "confirm" in form.errors and "version" not in form.errors:
            return report(request, pk, problem=form.errors["confirm"][0], status=400)
        return report(request, pk, problem=_("The form was incomplete: reload the page."), status=400)
    try:
        services.publish(found, by=request.user, version=form.cleaned_data["version"])
    except services.ReportError as exc:
        return report(request, pk, problem=str(exc), status=409)
    messages.success(request, _("Published: the figures and the narrative are now frozen."))
    return redirect("transparency:report", pk=pk)


def report_pdf(request, pk: int):
    from closedstacks.documents import pdf
    from closedstacks.documents.responses import download
    from closedstacks.library.models import LibraryProfile

    found = get_object_or_404(TransparencyReport.objects.select_related("published_by"), pk=pk)
    figures = services.figures_of(found)
    data = pdf.render("transparency/report_pdf.html", {"report": found, "figures": figures,
                                                  "chart": charts.by_type(figures),
                                                  "library": LibraryProfile.current()})
    return download(data, content_type="application/pdf", filename=f"transparency-report-{found.period.label}.pdf")


def report_csv(request, pk: int):
    from closedstacks.documents.responses import download

    found = get_object_or_404(TransparencyReport, pk=pk)
    return download(services.as_csv(found).encode(), content_type="text/csv; charset=utf-8",
                    filename=f"transparency-report-{found.period.label}.csv")
