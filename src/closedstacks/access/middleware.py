"""Deny by default: every request is checked against its view's declared scope.

Order of checks for a view declared with ``scope(required, view)``:

1. no declaration: refused (403), whoever asks;
2. ``PUBLIC``: allowed;
3. not signed in: sent to the sign-in page (the API answers 401 itself);
4. signed in but a step remains (new password, second factor): only the
   sign-in step pages are reachable, everything else leads to the step;
5. a named scope the user's roles do not hold: refused (403).

Object-level access (a matter's outsiders get 404) is the job of
:func:`closedstacks.access.objects.get_visible_or_404`.
"""

from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, render

from closedstacks.access.scopes import API, PUBLIC, SIGN_IN_STEP, SIGNED_IN, declared_scope
from closedstacks.access.signin import pending_step

log = logging.getLogger("closedstacks.access")


def forbidden(request, *, undeclared: bool = False):
    """The refusal page. It says what happened and never echoes what was asked for."""
    if undeclared:
        # A view without a declared scope is a programming error: say so in the
        # log (the path names no person), and refuse.
        log.error("refused a view with no declared scope: %s", request.path)
    return render(request, "web/403.html", status=403)


class AccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        required = declared_scope(view_func)
        if required is None:
            return forbidden(request, undeclared=True)
        user = request.user
        step = pending_step(request) if user.is_authenticated else None
        request.signed_in_fully = user.is_authenticated and step is None
        if required == PUBLIC:
            return None
        if not user.is_authenticated:
            if required == API:
                return None  # the API's own authentication answers 401
            return redirect_to_login(request.get_full_path())
        if step is not None:
            if required == SIGN_IN_STEP:
                return None
            if required == API:
                return JsonResponse({"detail": "Finish signing in first."}, status=403)
            return redirect(step)
        if required in (SIGN_IN_STEP, SIGNED_IN, API):
            return None
        if required in user.scopes:
            return None
        return forbidden(request)
