"""Fetching one object for a user: the only way views open a record.

A model that holds anything confidential gives its manager a
``visible_to(user)`` method returning what that user may see. Everyone
else gets the same 404 as for an object that does not exist, so an
outsider cannot even learn that it exists.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404


def get_visible_or_404(model, user, *, related: tuple[str, ...] = (), **lookup):
    """The object, if ``user`` may see it; otherwise 404. ``related`` names foreign keys to fetch with it."""
    manager = model._default_manager
    if not hasattr(manager, "visible_to"):
        raise TypeError(f"{model.__name__} has no visible_to(user); declare who may see it")
    return get_object_or_404(manager.visible_to(user).select_related(*related), **lookup)
