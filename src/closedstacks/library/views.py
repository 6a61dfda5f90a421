"""The library's own settings: profile (administrator), policy (officer), checklists (counsel)."""

from __future__ import annotations

import datetime
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from closedstacks.documents import pdf
from closedstacks.documents.responses import download
from closedstacks.documents.uploads import UploadRefused
from closedstacks.library import letterhead, services
from closedstacks.library.contacts import contact_list
from closedstacks.library.forms import (
    AuthorityForm,
    BranchForm,
    ChecklistItemForm,
    ContactForm,
    PolicyDateForm,
    PolicyForm,
    ProfileForm,
    ServicePointForm,
)
from closedstacks.library.models import (
    Authority,
    Branch,
    ChecklistItem,
    Contact,
    LibraryProfile,
    PolicyVersion,
    ServicePoint,
)
from closedstacks.library.policy import as_html


def profile(request):
    form = ProfileForm(request.POST or None, instance=LibraryProfile.current())
    if request.method == "POST" and form.is_valid():
        services.save_profile(form.save(commit=False), form.changed_data, by=request.user)
        messages.success(request, _("The library's settings are saved."))
        return redirect("library:profile")
    return render(request, "library/profile.html", {"form": form, "profile": LibraryProfile.current()})


def logo(request):
    """The logo at the head of the library's letters: upload a PNG or JPEG, or remove it (POST)."""
    if request.method == "POST":
        try:
            if request.POST.get("remove") == "yes":
                letterhead.remove_logo(by=request.user)
                messages.success(request, _("The logo is removed from the letters."))
            elif request.FILES.get("logo"):
                letterhead.set_logo(request.FILES["logo"], by=request.user)
                messages.success(request, _("The logo is saved: it heads every letter from now on."))
            else:
                messages.error(request, _("Choose a PNG or JPEG file for the logo."))
        except UploadRefused as exc:
            messages.error(request, str(exc))
    return redirect("library:profile")


def policy(request, number: int | None = None):
    """The policy in force now, or version ``number``; ``?on=YYYY-MM-DD`` answers which was in force that day."""
    shown = get_object_or_404(PolicyVersion, number=number) if number else PolicyVersion.current()
    lookup = PolicyDateForm(request.GET or None)
    in_force = None
    if lookup.is_bound and lookup.is_valid():
        end_of_day = datetime.datetime.combine(lookup.cleaned_data["on"], datetime.time.max,
                                               tzinfo=timezone.get_current_timezone())
        in_force = {"day": lookup.cleaned_data["on"], "version": PolicyVersion.in_force_at(end_of_day)}
    return render(request, "library/policy.html", {
        "policy": shown, "html": as_html(shown.text) if shown else "", "is_current": number is None,
        "versions": PolicyVersion.objects.only("number", "title", "created_at"),
        "can_edit": "policy:manage" in request.user.scopes, "lookup": lookup, "in_force": in_force,
    })


def policy_pdf(request):
    current = PolicyVersion.current()
    data = pdf.render("library/policy_pdf.html", {"policy": current,
                                                  "html": as_html(letterhead.for_letters(current.text)) if current
                                                  else "",
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


# Contacts, branches and service points: one editor, told which kind it edits.
SETTINGS = {
    "contact": (Contact, ContactForm, "library.contact", "library:contacts", gettext_lazy("Contact")),
    "branch": (Branch, BranchForm, "library.branch", "library:branches", gettext_lazy("Branch")),
    "service-point": (ServicePoint, ServicePointForm, "library.service_point", "library:branches",
                      gettext_lazy("Service point")),
    "authority": (Authority, AuthorityForm, "library.authority", "library:directory",
                  gettext_lazy("Agency or court")),
}


def setting(request, kind: str, pk: int | None = None):
    model, form_class, action, back, label = SETTINGS[kind]
    instance = get_object_or_404(model, pk=pk) if pk else model()
    if request.method == "POST" and "remove" in request.POST and pk:
        try:
            services.delete_setting(instance, by=request.user, action=action)
        except ProtectedError:
            messages.error(request, _("It is still in use (by verifications of requesters), so it stays: untick "
                                      "“in use” instead.") if kind == "authority" else
                           _("It is still in use (by staff or service points), so it stays."))
            return redirect(request.path)
        messages.success(request, _("Removed."))
        return redirect(back)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_setting(form.save(commit=False), by=request.user, action=action)
        messages.success(request, _("Saved."))
        return redirect(back)
    return render(request, "library/setting.html", {"form": form, "instance": instance, "label": label,
                                                    "back": back}, status=400 if form.errors else 200)


def directory(request):
    """The agencies and courts a requester is verified against."""
    return render(request, "library/directory.html", {"authorities": Authority.objects.all()})


def contacts(request):
    return render(request, "library/contacts.html", {"contacts": contact_list(),
                                                     "may_print_cards": "inquiry:create" in request.user.scopes})


def branches(request):
    return render(request, "library/branches.html", {
        "branches": Branch.objects.prefetch_related("service_points")})


def desk_cards(request):
    return render(request, "library/desk_cards.html", {
        "points": ServicePoint.objects.select_related("branch"), "contacts": contact_list()})


def desk_card_pdf(request, pk: int | None = None):
    """One printable page for a service point (or a general one): what to say, whom to call, how to report."""
    point = get_object_or_404(ServicePoint.objects.select_related("branch"), pk=pk) if pk else None
    data = pdf.render("library/desk_card_pdf.html", {
        "point": point, "profile": LibraryProfile.current(), "contacts": contact_list(),
        "policy": PolicyVersion.current(), "site_url": settings.SITE_URL})
    return download(data, content_type="application/pdf", filename=f"desk-card-{pk or 'general'}.pdf")
