"""Pages for reports and breaches. They parse and render; the rules are in services.py."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedstacks.access.objects import get_visible_or_404
from closedstacks.audit.trail import record
from closedstacks.documents.responses import download
from closedstacks.incidents import forms, letters, services
from closedstacks.incidents.errors import ReportError, StaleReport
from closedstacks.incidents.models import Breach, Incident, Status
from closedstacks.library.contacts import contact_list
from closedstacks.library.models import LibraryProfile


def new(request):
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.report(by=request.user, **form.cleaned_data)
        except ReportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you. %(label)s is with the responsible officer.")
                             % {"label": incident.label})
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/new.html", {"form": form}, status=400 if form.errors else 200)


def mine(request):
    reports = Incident.objects.filed_by(request.user).only(
        "pk", "kind", "status", "reported_at", "closed_at")[:200]
    return render(request, "incidents/mine.html", {"reports": reports})


FILTERS = {
    "new": lambda qs: qs.filter(status=Status.NEW),
    "open": lambda qs: qs.exclude(status=Status.CLOSED),
    "overdue": lambda qs: qs.overdue(),
    "closed": lambda qs: qs.filter(status=Status.CLOSED),
    "all": lambda qs: qs,
}


def _desk_rows(request, show: str):
    qs = FILTERS[show](Incident.objects.visible_to(request.user))
    # A list says how many people a breach touched, never who they are.
    return qs.select_related("matter").annotate(affected_count=Count("breach__affected")).order_by(
        "due_at" if show in ("new", "open", "overdue") else "-reported_at", "-pk")


def desk(request):
    show = request.GET.get("show", "open")
    if show not in FILTERS:
        show = "open"
    rows = _desk_rows(request, show)[:300]
    counts = Incident.objects.visible_to(request.user).counts()
    return render(request, "incidents/desk.html", {"rows": rows, "show": show, "counts": counts,
                                                   "filters": list(FILTERS)})


def export(request):
    """The desk as CSV: numbers, kinds, dates and counts; nothing that names anyone."""
    show = request.GET.get("show", "all")
    if show not in FILTERS:
        show = "all"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["report", "kind", "status", "severity", "reported_at", "occurred_at", "due_at", "closed_at",
                     "disclosed", "breach", "affected_people", "matter"])
    rows = list(_desk_rows(request, show).select_related("breach"))
    for i in rows:
        writer.writerow([i.pk, i.kind, i.status, i.severity, i.reported_at.isoformat(), i.occurred_at.isoformat(),
                         i.due_at.isoformat() if i.due_at else "", i.closed_at.isoformat() if i.closed_at else "",
                         i.disclosed, "yes" if hasattr(i, "breach") else "no", i.affected_count,
                         i.matter.reference if i.matter else ""])
    with transaction.atomic():
        record("incident.exported", actor=request.user, details={"rows": len(rows), "show": show})
    return download(buffer.getvalue().encode(), content_type="text/csv; charset=utf-8",
                    filename=f"reports-{show}-{timezone.localdate().isoformat()}.csv")


# One form per step on the officer's desk; each names the service that does it.
ACTIONS = {
    "triage": (forms.TriageForm, services.triage),
    "action": (forms.ActionForm, services.add_action),
    "close": (forms.CloseForm, services.close),
    "reopen": (forms.ReopenForm, services.reopen),
    "declare-breach": (forms.DeclareBreachForm, services.declare_breach),
}


# Steps whose service lives above this app (opening a matter from a report is the procedure's), posted elsewhere.
OTHER_FORMS = {"open-matter": forms.ConfirmForm}


def _desk_forms(incident: Incident, bound: dict | None = None) -> dict:
    initial = {"version": incident.version, "kind": incident.kind, "severity": incident.severity}
    made = {name: cls(initial=initial) for name, cls in [*((n, c) for n, (c, _s) in ACTIONS.items()),
                                                          *OTHER_FORMS.items()]}
    made.update(bound or {})
    return {name.replace("-", "_"): form for name, form in made.items()}


def detail_page(request, incident: Incident, *, bound: dict | None = None, problem: str = "", status: int = 200):
    if "incident:read" not in request.user.scopes:
        # The reporter: their own report and its status, and no more.
        return render(request, "incidents/receipt.html", {"incident": incident, "contacts": contact_list(),
                                                          "profile": LibraryProfile.current()}, status=status)
    breach = Breach.objects.filter(incident=incident).annotate(affected_count=Count("affected")).first()
    return render(request, "incidents/detail.html", {
        "incident": incident, "events": incident.events.select_related("actor"), "breach": breach,
        "can_manage": "incident:manage" in request.user.scopes, "forms": _desk_forms(incident, bound),
        "problem": problem,
    }, status=status)


def detail(request, pk: int):
    incident = get_visible_or_404(Incident, request.user, pk=pk, related=("matter", "service_point__branch",
                                                                          "reported_by"))
    if "incident:read" in request.user.scopes:
        with transaction.atomic():
            record("incident.viewed", actor=request.user, obj=incident)
    return detail_page(request, incident)


@require_POST
def act(request, pk: int, action: str):
    incident = get_visible_or_404(Incident, request.user, pk=pk)
    if action not in ACTIONS:
        raise Http404
    form_class, service = ACTIONS[action]
    form = form_class(request.POST)
    problem = ""
    if form.is_valid():
        try:
            service(incident, by=request.user, **form.cleaned_data)
        except StaleReport as exc:
            incident.refresh_from_db()
            return detail_page(request, incident, problem=str(exc), status=409)
        except ReportError as exc:
            problem = str(exc)  # shown at the top: the step's form may not be on the page now
        else:
            messages.success(request, _("Saved."))
            return redirect("incidents:detail", pk=pk)
    return detail_page(request, incident, bound={action: form}, problem=problem, status=400)


# Breaches: identities only here, only for the officer and the director ------------------------------------------

BREACH_ACTIONS = {
    "update": forms.BreachForm,
    "add": forms.AffectedForm,
    "find": forms.FindAffectedForm,
    "decide": forms.DecisionForm,
    "notified": forms.NotifiedForm,
}


def _breach_or_404(request, pk: int) -> Breach:
    incident = get_visible_or_404(Incident, request.user, pk=pk)
    breach = Breach.objects.filter(incident=incident).select_related("incident").first()
    if breach is None:
        raise Http404
    return breach


def _breach_page(request, breach: Breach, *, bound: dict | None = None, status: int = 200):
    people = services.affected_for(breach, by=request.user, reason="page")
    initial = {"record_kinds": breach.record_kinds, "discovered_on": breach.discovered_on,
               "contained_on": breach.contained_on, "authority_notified_on": breach.authority_notified_on,
               "decision": breach.decision or None, "reasons": breach.decision_reasons,
               "notice_text": breach.notice_text}
    made = {name: cls(initial=initial) for name, cls in BREACH_ACTIONS.items()}
    made.update(bound or {})
    return render(request, "incidents/breach.html", {
        "breach": breach, "incident": breach.incident, "people": people, "forms": made,
        "can_manage": "incident:manage" in request.user.scopes and breach.incident.status != Status.CLOSED,
        "letters": breach.decision == "notify",
    }, status=status)


def breach(request, pk: int):
    return _breach_page(request, _breach_or_404(request, pk))


@require_POST
def breach_act(request, pk: int, action: str):
    found = _breach_or_404(request, pk)
    if action == "remove":
        person = found.affected.filter(pk=request.POST.get("person")).first()
        if person is None:
            raise Http404
        try:
            services.remove_affected(person, by=request.user)
        except ReportError as exc:
            messages.error(request, str(exc))
        return redirect("incidents:breach", pk=pk)
    if action not in BREACH_ACTIONS:
        raise Http404
    form = BREACH_ACTIONS[action](request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if action == "update":
                services.update_breach(found, by=request.user, **data)
            elif action == "add":
                services.add_affected(found, by=request.user, **data)
            elif action == "find":
                services.find_affected(found, by=request.user, **data)
            elif action == "decide":
                services.decide(found, by=request.user, **data)
            else:
                person = found.affected.filter(pk=data["person"]).first()
                if person is None:
                    raise Http404
                services.mark_notified(person, by=request.user, on=data["on"])
        except ReportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("incidents:breach", pk=pk)
    return _breach_page(request, found, bound={action: form}, status=400)


def lookups(request):
    """For the auditor: every look-up of a person in the library system from a breach — who, when, how, why,
    and whether someone was found; never whom."""
    return render(request, "incidents/lookups.html", {"lookups": services.lookups_for(request.user)[:500]})


def notice_letters(request, pk: int, person: int | None = None):
    """The notice letters to the affected people (one, or all), as one PDF."""
    found = _breach_or_404(request, pk)
    try:
        data = letters.render_notices(found, by=request.user, person=person)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("incidents:breach", pk=pk)
    return download(data, content_type="application/pdf",
                    filename=f"report-{pk}-notice{'-' + str(person) if person else 's'}.pdf")
