"""A person's own account: password and second factor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedstacks.access.signin import has_second_factor
from closedstacks.accounts import mfa, services


def me(request):
    user = request.user
    return render(request, "accounts/me.html", {
        "has_second_factor": has_second_factor(user),
        "recovery_codes_left": mfa.remaining_recovery_codes(user),
    })


def password_page(request, form_class, *, template: str, done: str, then: str):
    """Show a password form; on a valid new password, save it, keep the session, and go on to ``then``."""
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(request.user, form.cleaned_data["new_password1"])
        except services.AccountError as exc:
            form.add_error("new_password1", str(exc))
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, done)
            return redirect(then)
    return render(request, template, {"form": form})


def change_password(request):
    return password_page(request, PasswordChangeForm, template="accounts/change_password.html",
                         done=_("Your password was changed."), then="accounts:me")


@require_POST
def new_recovery_codes(request):
    if not has_second_factor(request.user):
        messages.error(request, _("Set up a second factor first."))
        return redirect("accounts:me")
    codes = mfa.regenerate_recovery_codes(request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": False})
