"""Spreading the demo over the past year: each matter is made now, through the real procedure, and then its
stored times are moved to the days its story happened on.

A ``Clock`` is a matter's story time. Each step taken on it says when, in the story, that step happened;
``backdate`` then moves every time stored with the matter (its events, notes, instruments, reviews, scopes,
productions, holds, deadlines met, the notices about it) that was written while it was being made, keeping
their order: a time written during a step moves to that step's story time plus what little real time had
passed since the step began. Times given to a step as data (a warrant's execution, a return date) are already
story times and stay. Audit entries are never touched: the audit trail is a hash chain of what really happened,
so it keeps the real times at which the demo was made.
"""

from __future__ import annotations

import bisect
import datetime as dt

from django.apps import apps
from django.db import models
from django.utils import timezone

NEVER_MOVED = {"audit"}  # apps whose rows keep their real times


class Clock:
    """Story time for one thing being made: ``step`` before each action says how long after the last one it
    happened; ``at`` is the story time of the current step."""

    def __init__(self, start: dt.datetime):
        self.at = start
        self.began = timezone.now()
        self.marks: list[tuple[dt.datetime, dt.datetime]] = []  # (real time the step began, its story time)

    def step(self, after: dt.timedelta = dt.timedelta(0)) -> dt.datetime:
        self.at += after
        self.marks.append((timezone.now(), self.at))
        return self.at

    def story_time(self, real: dt.datetime) -> dt.datetime:
        """The story time of something written at ``real`` while this was being made."""
        if not self.marks:
            return real
        index = max(bisect.bisect_right([mark for mark, _ in self.marks], real) - 1, 0)
        began, story = self.marks[index]
        return story + (real - began)


def _pointing_at(model, depth: int = 3, path: tuple[str, ...] = ()):
    """(model, lookup) for every model with a foreign key to ``model`` (and to those, ``depth`` levels down)."""
    if depth == 0:
        return
    for other in apps.get_models():
        if other._meta.app_label in NEVER_MOVED:
            continue
        for field in other._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is model and not field.many_to_many:
                lookup = (field.name, *path)
                yield other, "__".join(lookup)
                yield from _pointing_at(other, depth - 1, lookup)


def _datetime_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]


def backdate(root, clock: Clock, *, extra=()) -> None:
    """Move the times written while ``root`` (a matter, a report) was made to its story times. ``extra``: more
    querysets of rows written for it that do not point at it (the notices about a matter)."""
    now = timezone.now()
    begun = clock.began
    latest = clock.story_time(now)
    if latest > now - dt.timedelta(minutes=1):  # a story may not end in the future: shift it all back
        shift = latest - now + dt.timedelta(minutes=30)
        clock.marks = [(real, story - shift) for real, story in clock.marks]
    querysets = [type(root).objects.filter(pk=root.pk)]
    querysets += [model.objects.filter(**{lookup: root}) for model, lookup in _pointing_at(type(root))]
    for queryset in [*querysets, *extra]:
        fields = _datetime_fields(queryset.model)
        if not fields:
            continue
        for row in queryset.values("pk", *fields):
            changes = {name: clock.story_time(value) for name, value in row.items()
                       if name != "pk" and value is not None and begun <= value <= now}
            if changes:
                queryset.model.objects.filter(pk=row["pk"]).update(**changes)
