"""Account management for administrators. Every change goes through services."""

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
from closedstacks.accounts import services
from closedstacks.accounts.forms import AccountForm, BranchForm, RolesForm
from closedstacks.accounts.models import RoleGrant, User
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
    return render(request, "accounts/list.html", {"table": table})


def account_new(request):
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, temporary = services.create_account(
                username=data["username"], full_name=data["full_name"], email=data["email"],
                roles=data["roles"], branch=data["branch"], by=request.user,
            )
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "accounts/temporary_password.html",
                          {"account": account, "temporary": temporary, "created": True})
    return render(request, "accounts/new.html", {"form": form})


def account_detail(request, pk: int):
    account = get_visible_or_404(User, request.user, pk=pk)
    form = RolesForm(request.POST or None, initial={"roles": sorted(account.roles)})
    if request.method == "POST" and form.is_valid():
        try:
            granted, revoked = services.set_roles(account, form.cleaned_data["roles"], by=request.user)
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            if granted or revoked:
                messages.success(request, _("Roles saved."))
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/detail.html", {
        "account": account,
        "form": form,
        "is_self": account.pk == request.user.pk,
        "locked": services.is_locked(account),
        "has_second_factor": has_second_factor(account),
        "branch_form": BranchForm(initial={"branch": account.branch_id}),
    })


ACTIONS = {
    "disable": (services.disable_account,
                gettext_lazy("The account is disabled; its sessions end at their next request.")),
    "enable": (services.enable_account, gettext_lazy("The account is enabled.")),
    "unlock": (services.unlock_account, gettext_lazy("The account is unlocked.")),
    "reset-mfa": (services.reset_mfa,
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
    if action == "reset-password":
        try:
            temporary = services.reset_password(account, by=request.user)
        except services.AccountError as exc:
            messages.error(request, str(exc))
            return redirect("accounts:detail", pk=account.pk)
        return render(request, "accounts/temporary_password.html",
                      {"account": account, "temporary": temporary, "created": False})
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
