"""Signing in and out, and the steps that finish signing in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from closedstacks.access import signin
from closedstacks.access.throttle import limit_sign_in
from closedstacks.accounts import links, mfa
from closedstacks.accounts.forms import CodeForm, SignInForm
from closedstacks.accounts.views.own import password_page


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True  # the demo's accounts are shown by closedstacks.demo.context


sign_in = limit_sign_in(SignInView.as_view())  # attempts per client address: SIGN_IN_RATE


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


def _refusal(outcome, wrong: str) -> str:
    if outcome.wait_seconds:
        return ngettext("Too many wrong codes. Wait %(n)d second, then try again.",
                        "Too many wrong codes. Wait %(n)d seconds, then try again.",
                        outcome.wait_seconds) % {"n": outcome.wait_seconds}
    return wrong


def _wrong_step(request, this_step: str):
    step = signin.pending_step(request)
    return None if step == this_step else redirect(step or "web:home")


def verify(request):
    elsewhere = _wrong_step(request, signin.VERIFY)
    if elsewhere:
        return elsewhere
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = mfa.verify(request, form.cleaned_data["token"])
        if outcome.accepted:
            remaining = mfa.remaining_recovery_codes(request.user)
            if remaining <= 3:
                messages.warning(request, _("You have %(n)d recovery codes left. Make new ones on your account page.")
                                 % {"n": remaining})
            return redirect("web:home")
        form.add_error("token", _refusal(outcome, _("That code is not right, or it has been used. Check your "
                                                    "app's clock and try again.")))
    return render(request, "accounts/mfa_verify.html", {"form": form})


def enrol(request):
    step = signin.pending_step(request)
    voluntary = step is None and not signin.has_second_factor(request.user)
    if step != signin.ENROL and not voluntary:
        return redirect(step or "web:home")
    link = links.enrolment_link(request) if request.user.second_factor_by_link else None
    if request.user.second_factor_by_link and link is None:
        return render(request, "accounts/mfa_by_link.html")  # after a reset, only the link's owner enrols
    device = mfa.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = mfa.confirm_enrolment(request, device, form.cleaned_data["token"], link=link)
        if outcome.accepted:
            request.session.pop(links.SESSION_KEY, None)
            return render(request, "accounts/recovery_codes.html",
                          {"codes": outcome.recovery_codes, "first_time": True})
        form.add_error("token", _refusal(outcome, _("That code is not right. Make sure the app shows Closed "
                                                    "Stacks and try the newest code.")))
    return render(request, "accounts/mfa_enrol.html", {
        "form": form, "qr_svg": mfa.qr_svg(device), "manual_key": mfa.manual_key(device),
    })


def new_password(request):
    """A temporary password from an administrator must be replaced first."""
    elsewhere = _wrong_step(request, signin.CHANGE_PASSWORD)
    if elsewhere:
        return elsewhere
    return password_page(request, SetPasswordForm, template="accounts/new_password.html",
                         done=_("Your new password is set."), then="web:home")
