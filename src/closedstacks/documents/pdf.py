"""Letters and forms as PDF, rendered from HTML templates by WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone


def render(template: str, context: dict) -> bytes:
    return html_to_pdf(render_html(template, context))


def render_html(template: str, context: dict) -> str:
    return render_to_string(template, {"today": timezone.localdate(), **context})


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document. It needs nothing of Django, so another process can run it."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # No base URL, and data: URIs only (the library's logo, inlined): a letter fetches nothing from anywhere.
    return HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
