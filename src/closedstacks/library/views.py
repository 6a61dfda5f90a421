"""The library's own settings: profile (administrator), policy (officer), checklists (counsel)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from closedstacks.documents import pdf
from closedstacks.documents.responses import download
from closedstacks.library import services
from closedstacks.library.forms import ChecklistItemForm, PolicyForm, ProfileForm
from closedstacks.library.models import ChecklistItem, LibraryProfile, PolicyVersion
from closedstacks.library.policy import as_html


def profile(request):
    form = ProfileForm(request.POST or None, instance=LibraryProfile.current())
    if request.method == "POST" and form.is_valid():
        services.save_profile(form.save(commit=False), form.changed_data, by=request.user)
        messages.success(request, _("The library's settings are saved."))
        return redirect("library:profile")
    return render(request, "library/profile.html", {"form": form})


def policy(request):
    current = PolicyVersion.current()
    return render(request, "library/policy.html", {
        "policy": current, "html": as_html(current.text) if current else "",
        "versions": PolicyVersion.objects.only("number", "title", "created_at"),
        "can_edit": "policy:manage" in request.user.scopes,
    })


def policy_pdf(request):
    current = PolicyVersion.current()
    data = pdf.render("library/policy_pdf.html", {"policy": current, "html": as_html(current.text) if current else "",
                                                  "profile": LibraryProfile.current()})
    return download(data, content_type="application/pdf", filename=f"confidentiality-policy-v{current.number}.pdf")


def policy_edit(request):
    current = PolicyVersion.current()
    initial = {"title": current.title, "text": current.text} if current else {}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = services.new_policy_version(by=request.user, **form.cleaned_data)
        messages.success(request, _("Version %(n)d of the policy is now current.") % {"n": version.number})
        return redirect("library:policy")
    return render(request, "library/policy_edit.html", {"form": form, "current": current})


def checklists(request):
    items = ChecklistItem.objects.all()
    groups = [(kind, list(rows)) for kind, rows in groupby(items, key=lambda item: item.get_instrument_type_display())]
    return render(request, "library/checklists.html", {"groups": groups})


def checklist_item(request, pk: int | None = None):
    item = get_object_or_404(ChecklistItem, pk=pk) if pk else ChecklistItem()
    form = ChecklistItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        services.save_checklist_item(form.save(commit=False), by=request.user)
        messages.success(request, _("The checklist item is saved."))
        return redirect("library:checklists")
    return render(request, "library/checklist_item.html", {"form": form, "item": item})
