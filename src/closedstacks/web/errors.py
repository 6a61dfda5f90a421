"""Error pages that say what happened and never echo what was asked for."""

from __future__ import annotations

import logging

from django.shortcuts import render

log = logging.getLogger("closedstacks.access")


def forbidden(request, *, undeclared: bool = False):
    if undeclared:
        # A view without a declared scope is a programming error: say so in the
        # log (the path names no person), and refuse.
        log.error("refused a view with no declared scope: %s", request.path)
    return render(request, "web/403.html", status=403)
