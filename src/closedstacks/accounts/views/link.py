"""The one-time link from an e-mail: the owner sets their own password, or proves it is them before enrolling
their second factor again. Every invalid link gets the same page, whether or not its account exists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from closedstacks.accounts import links
from closedstacks.accounts.forms import LinkPasswordForm
from closedstacks.accounts.models import LinkPurpose


def use_link(request):
    token = request.GET.get("t")
    if token:  # from the e-mail: keep it in the session, go on at an address without it (nothing used up yet)
        request.session[links.SESSION_KEY] = links.token_hash(token)
        return redirect("accounts:link")
    hashed = request.session.get(links.SESSION_KEY)
    link = links.find(hashed)
    if link is None:
        return render(request, "accounts/link_invalid.html")
    if link.purpose == LinkPurpose.SET_PASSWORD:
        return _set_password(request, link, hashed)
    return _prove_for_enrolment(request, link, hashed)


def _set_password(request, link, hashed: str):
    form = SetPasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if links.set_password(hashed, form.cleaned_data["new_password1"]) is None:
            return render(request, "accounts/link_invalid.html")
        request.session.pop(links.SESSION_KEY, None)
        messages.success(request, _("Your password is set. Sign in with it."))
        return redirect("accounts:login")
    return render(request, "accounts/link_password.html", {"form": form, "account": link.user})


def _prove_for_enrolment(request, link, hashed: str):
    """Their password signs them in (lockout and audit as at sign-in); the link lets them enrol in this session."""
    form = LinkPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=link.user.username, password=form.cleaned_data["password"])
        if user is not None and user.pk == link.user_id:
            login(request, user)
            request.session[links.SESSION_KEY] = hashed  # signing in may have begun a fresh session
            return redirect("accounts:mfa-enrol")
        form.add_error("password", _("That password is not right."))
    return render(request, "accounts/link_enrol.html", {"form": form, "account": link.user})
