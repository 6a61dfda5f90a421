"""Counts per kind for the designated users and dates, before a scope is approved (POST runs them)."""

from __future__ import annotations

from django.shortcuts import render

from closedstacks.library.choices import record_kind_labels
from closedstacks.matters import reading
from closedstacks.matters.counting import count_designated, may_count
from closedstacks.matters.errors import ProcedureError


def counts(request, reference: str):
    matter = reading.open_matter(request.user, reference, look=None)
    if not may_count(matter, request.user):
        return render(request, "web/403.html", status=403)
    reading.looked(request.user, matter, "counts")
    result, problem = None, ""
    if request.method == "POST":
        try:
            result = count_designated(matter, by=request.user)
        except ProcedureError as exc:
            problem = str(exc)
    return render(request, "matters/counts.html", {
        "matter": matter, "result": result, "problem": problem,
        "rows": list(zip(record_kind_labels(result.kinds), result.kinds.values())) if result else [],
        "not_offered": record_kind_labels(result.not_offered) if result else [],
    }, status=409 if problem else 200)
