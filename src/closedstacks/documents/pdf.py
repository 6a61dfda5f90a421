"""Letters and forms as PDF, rendered from HTML templates by WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone


def render(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {"today": timezone.localdate(), **context})
    # No base URL: a letter can fetch nothing from anywhere.
    return HTML(string=html, base_url=None, url_fetcher=_no_fetching).write_pdf()


def _no_fetching(url, *args, **kwargs):
    raise ValueError("letters load no external resources")
