"""Dates and times as staff read them, in the reader's language and the library's time zone, without the cost
of |date: ISO 8601 in English (2026-11-28 14:05), day first in Spanish (28/11/2026 14:05)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()

# (a day, a day and time) per language; a language not listed reads ISO 8601.
PATTERNS = {"es": ("%d/%m/%Y", "%d/%m/%Y %H:%M")}
ISO = ("%Y-%m-%d", "%Y-%m-%d %H:%M")


def _patterns() -> tuple[str, str]:
    return PATTERNS.get((get_language() or "en").split("-")[0], ISO)


@register.filter
def day(value) -> str:
    """2026-11-28 (English), 28/11/2026 (Spanish)"""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime(_patterns()[0])


@register.filter
def stamp(value) -> str:
    """2026-11-28 14:05 (English), 28/11/2026 14:05 (Spanish)"""
    if not value:
        return ""
    return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(_patterns()[1])
