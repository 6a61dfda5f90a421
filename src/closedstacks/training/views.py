"""The training's pages: my training, taking a module, writing modules, and the compliance page."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.access.objects import get_visible_or_404
from closedstacks.audit.trail import record
from closedstacks.documents.responses import download
from closedstacks.library.models import LibraryProfile
from closedstacks.library.policy import as_html
from closedstacks.training import services
from closedstacks.training.compliance import chart, compliance
from closedstacks.training.forms import ModuleForm, TakeForm, VersionForm
from closedstacks.training.models import Module
from closedstacks.training.questions import as_text
from closedstacks.training.status import Status, statuses_for

COLUMNS = (Status.CURRENT, Status.DUE, Status.OVERDUE)


def mine(request):
    found = statuses_for(request.user)
    profile = LibraryProfile.current()
    return render(request, "training/mine.html", {
        "statuses": found,
        "history": request.user.training_completions.select_related("version__module")[:20],
        "valid_days": profile.training_valid_days,
        "required": profile.training_required,
        "can_manage": "training:manage" in request.user.scopes,
    })


def module(request, pk: int):
    """Read the newest version of a module, answer its questions, tick the attestation."""
    found = get_visible_or_404(Module, request.user, pk=pk)
    version = services.latest_version(found)
    if version is None:
        raise Http404
    form = TakeForm(request.POST or None, version=version)
    outcome, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.take(request.user, found, version_number=form.cleaned_data["version"],
                                    answers=form.answers(), attested=form.cleaned_data["attest"])
        except services.TrainingError as exc:
            messages.error(request, str(exc))
            return redirect("training:module", pk=found.pk)
        if outcome.passed:
            messages.success(request, _("You completed “%(title)s” with %(score)d%%. It is current until "
                                        "%(until)s.") % {"title": found.title, "score": outcome.score,
                                                         "until": timezone.localdate(outcome.completion.expires_at)})
            return redirect("training:mine")
        form.mark_wrong(outcome.wrong)  # a failed attempt is an answer, not a bad request
    elif request.method == "POST":
        status = 400
    return render(request, "training/module.html", {
        "module": found, "version": version, "html": as_html(version.body), "form": form, "outcome": outcome,
    }, status=status)


def modules(request):
    return render(request, "training/modules.html", {
        "modules": Module.objects.prefetch_related("versions").order_by("position", "pk"),
    })


def _module_initial(found: Module) -> dict:
    return {"title": found.title, "roles": found.roles, "position": found.position, "active": found.active}


def module_new(request):
    module_form = ModuleForm(request.POST or None, prefix="module")
    version_form = VersionForm(request.POST or None, prefix="version")
    if request.method == "POST" and module_form.is_valid() and version_form.is_valid():
        try:
            created = services.create_module(by=request.user, content=version_form.content(),
                                             **module_form.cleaned_data)
        except services.TrainingError as exc:
            module_form.add_error(None, str(exc))
        else:
            messages.success(request, _("The module “%(title)s” is saved as version 1.") % {"title": created.title})
            return redirect("training:modules")
    return render(request, "training/module_new.html", {"module_form": module_form, "version_form": version_form},
                  status=400 if request.method == "POST" else 200)


def module_edit(request, pk: int):
    found = get_visible_or_404(Module, request.user, pk=pk)
    form = ModuleForm(request.POST or None, initial=_module_initial(found), prefix="module")
    if request.method == "POST" and form.is_valid():
        try:
            services.change_module(found, by=request.user, **form.cleaned_data)
        except services.TrainingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The module's settings are saved."))
            return redirect("training:modules")
    return render(request, "training/module_edit.html", {
        "module": found, "form": form, "versions": found.versions.order_by("-number").select_related("created_by"),
    }, status=400 if request.method == "POST" else 200)


def version_new(request, pk: int):
    found = get_visible_or_404(Module, request.user, pk=pk)
    current = services.latest_version(found)
    initial = {"body": current.body, "pass_mark": current.pass_mark, "attestation": current.attestation,
               "questions": as_text(current.questions.all())} if current else {}
    form = VersionForm(request.POST or None, initial=initial, prefix="version")
    if request.method == "POST" and form.is_valid():
        try:
            version = services.new_version(found, form.content(), by=request.user)
        except services.TrainingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Version %(n)d of “%(title)s” is now the one people take. Completions of "
                                        "earlier versions stay valid until they expire.")
                             % {"n": version.number, "title": found.title})
            return redirect("training:modules")
    return render(request, "training/version_new.html", {"module": found, "current": current, "form": form},
                  status=400 if request.method == "POST" else 200)


def compliance_page(request):
    found = compliance()
    return render(request, "training/compliance.html", {
        "compliance": found,
        "groups_role": [found.total, *found.by_role],
        "groups_branch": found.by_branch,
        "statuses": [Status(status) for status in COLUMNS],
        "chart": chart([[found.total], found.by_role, found.by_branch]),
        "profile": LibraryProfile.current(),
        "can_manage": "training:manage" in request.user.scopes,
    })


def _cell(text: str) -> str:
    """A spreadsheet must not read a branch name as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def compliance_csv(request):
    found = compliance()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "name", "people", "current", "due", "overdue", "current %", "due %", "overdue %"])
    for kind, groups in (("all", [found.total]), ("role", found.by_role), ("branch", found.by_branch)):
        for group in groups:
            counts = [group.counts[status] for status in COLUMNS]
            percents = [group.percent(status) for status in COLUMNS]
            writer.writerow([kind, _cell(group.label), group.total, *counts, *percents])
    with transaction.atomic():
        record("training.compliance_downloaded", actor=request.user)
    return download(out.getvalue().encode(), content_type="text/csv; charset=utf-8",
                    filename=f"training-compliance-{timezone.localdate().isoformat()}.csv")
