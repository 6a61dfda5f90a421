"""Account management for administrators. Every change goes through services, and those that could hand
someone a privileged account through approvals (a second person decides them on the changes page)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tables2 import RequestConfig

from closedstacks.access.objects import get_visible_or_404
from closedstacks.access.signin import has_second_factor
from closedstacks.accounts import approvals, services
from closedstacks.accounts.forms import AccountForm, BranchForm, RolesForm
from closedstacks.accounts.models import PendingAccountChange, RoleGrant, User
from closedstacks.accounts.tables import AccountTable


def _with_roles(queryset):
    return queryset.prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.only("user_id", "role")))


def account_list(request):
    accounts = User.objects.visible_to(request.user).annotate(
        second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )
    accounts = _with_roles(accounts)
    table = AccountTable(accounts, locked=services.locked_usernames())
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "accounts/list.html", {"table": table, "waiting": approvals.waiting_for(request.user)})


def account_new(request):
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = approvals.request_account(
                username=data["username"], full_name=data["full_name"], email=data["email"],
                roles=data["roles"], branch=data["branch"], by=request.user,
            )
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            return _outcome(request, result, created=True)
    return render(request, "accounts/new.html", {"form": form})


def _outcome(request, result: approvals.Result, *, created: bool):
    """Where an administrator goes after asking: the changes page (waiting), the temporary password (desk staff
    without an e-mail address), or the account (its owner was e-mailed a one-time link, or nothing was due)."""
    if result.pending:
        messages.info(request, _("Change #%(id)s waits for a second person: another administrator, the director or "
                                 "the officer approves or refuses it here. The owner is told.")
                      % {"id": result.change.pk})
        return redirect("accounts:changes")
    if result.temporary:
        return render(request, "accounts/temporary_password.html",
                      {"account": result.account, "temporary": result.temporary, "created": created})
    _say_how_the_owner_heard(request, result.emailed)
    return redirect("accounts:detail", pk=result.account.pk)


def _say_how_the_owner_heard(request, emailed: bool | None) -> None:
    if emailed:
        messages.success(request, _("A one-time link went to the owner's e-mail address; only they can use it."))
    elif emailed is False:
        messages.error(request, _("The e-mail with the owner's one-time link could not be sent: check the mail "
                                  "settings, then ask again."))


def account_detail(request, pk: int):
    account = get_visible_or_404(User, request.user, pk=pk)
    form = RolesForm(request.POST or None, initial={"roles": sorted(account.roles)})
    if request.method == "POST" and form.is_valid():
        try:
            granted, revoked, asked = approvals.request_roles(account, form.cleaned_data["roles"], by=request.user)
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            if granted or revoked:
                messages.success(request, _("Roles saved."))
            if asked is not None and asked.pending:
                return _outcome(request, asked, created=False)
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/detail.html", {
        "account": account,
        "form": form,
        "is_self": account.pk == request.user.pk,
        "locked": services.is_locked(account),
        "has_second_factor": has_second_factor(account),
        "branch_form": BranchForm(initial={"branch": account.branch_id}),
        "privileged": services.is_privileged(account),
        "waiting": PendingAccountChange.objects.visible_to(request.user).pending().filter(account=account),
    })


ACTIONS = {
    "disable": (services.disable_account,
                gettext_lazy("The account is disabled; its sessions end at their next request.")),
    "enable": (services.enable_account, gettext_lazy("The account is enabled.")),
    "unlock": (services.unlock_account, gettext_lazy("The account is unlocked.")),
}
# Those that may need a second person (a privileged account's), and what is said when made at once.
REQUESTS = {
    "reset-password": (approvals.request_password_reset, None),
    "reset-mfa": (approvals.request_mfa_reset,
                  gettext_lazy("The second factor was removed; they enrol again at their next sign-in.")),
}


@require_POST
def account_action(request, pk: int, action: str):
    account = get_visible_or_404(User, request.user, pk=pk)
    if action == "branch":
        form = BranchForm(request.POST)
        if form.is_valid():
            services.set_branch(account, form.cleaned_data["branch"], by=request.user)
            messages.success(request, _("Branch saved."))
        return redirect("accounts:detail", pk=account.pk)
    if action in REQUESTS:
        return _ask(request, account, *REQUESTS[action])
    if action not in ACTIONS:
        raise Http404
    change, done = ACTIONS[action]
    try:
        change(account, by=request.user)
    except services.AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("accounts:detail", pk=account.pk)


def _ask(request, account: User, ask, done):
    try:
        result = ask(account, by=request.user)
    except services.AccountError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:detail", pk=account.pk)
    if done and not result.pending:
        messages.success(request, done)
    return _outcome(request, result, created=False)
