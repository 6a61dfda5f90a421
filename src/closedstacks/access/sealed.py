"""Sealed matters: what a person must not learn exists.

A matter under a nondisclosure order in force is *sealed* from everyone not named on it: the matter and
everything derived from it — reports linked to it, notices about it, entries on the audit trail — must look to
them exactly like something that does not exist. The matters app decides which matters those are; the layers
below it (the audit trail, notices, reports) ask here, because they may not import it. The matters app
registers its answer when Django starts (matters/apps.py).
"""

from __future__ import annotations

from typing import Callable

from django.core.exceptions import ImproperlyConfigured

_answer: Callable | None = None


def provide(answer: Callable) -> None:
    """Register ``answer(user)``: a queryset of the primary keys of the matters sealed from ``user``."""
    global _answer
    _answer = answer


def hidden_from(user):
    """The ids of the matters sealed from ``user``, as a queryset (use it as a subquery: ``__in=``)."""
    if _answer is None:
        raise ImproperlyConfigured("no app answers which matters are sealed (the matters app is not installed)")
    return _answer(user)
