"""Letters and forms as PDF, rendered from HTML templates by WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone


def render(template: str, context: dict) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, {"today": timezone.localdate(), **context})
    # No base URL, and data: URIs only (the library's logo, inlined): a letter fetches nothing from anywhere.
    return HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
