"""The account changes that wait for a second person, and the decisions on them (scope ``account:approve``)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedstacks.accounts import approvals
from closedstacks.accounts.forms import DecisionForm
from closedstacks.accounts.services import AccountError


def change_list(request):
    waiting, decided = approvals.changes_for(request.user)
    rows = [(change, approvals.why_not_approve(change, request.user)) for change in waiting]
    return render(request, "accounts/changes.html", {"waiting": rows, "decided": decided})


@require_POST
def change_decide(request):
    """Approve or refuse one change; its id comes in the form, never in the address."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a change and whether to approve or refuse it."))
        return redirect("accounts:changes")
    change_id, decision = form.cleaned_data["change"], form.cleaned_data["decision"]
    try:
        if decision == DecisionForm.APPROVE:
            result = approvals.approve(change_id, by=request.user)
        else:
            approvals.refuse(change_id, by=request.user)
    except AccountError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:changes")
    if decision == DecisionForm.APPROVE:
        _say_approved(request, change_id, result.emailed)
    else:
        messages.success(request, _("Change #%(id)s was refused; the owner and the person who asked are told.")
                         % {"id": change_id})
    return redirect("accounts:changes")


def _say_approved(request, change_id: int, emailed: bool | None) -> None:
    messages.success(request, _("Change #%(id)s was approved and applied; the owner is told.") % {"id": change_id})
    if emailed is False:
        messages.error(request, _("The e-mail with the owner's one-time link could not be sent: check the mail "
                                  "settings, then ask for the change again."))
