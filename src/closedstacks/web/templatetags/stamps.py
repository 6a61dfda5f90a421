"""Dates and times as staff read them in records (ISO 8601, local time), without the cost of |date."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def day(value) -> str:
    """2026-11-28"""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m-%d")


@register.filter
def stamp(value) -> str:
    """2026-11-28 14:05"""
    if not value:
        return ""
    return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%d %H:%M")
