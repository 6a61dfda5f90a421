"""Serving a stored file or a generated PDF: always a download, under a name we make; or a page of a document
drawn as a picture by documents/viewing.py, shown in the page and nowhere else."""

from __future__ import annotations

import re

from django.http import HttpResponse

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def download(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_SAFE.sub("-", filename)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def picture(data: bytes) -> HttpResponse:
    """A drawn page (PNG) for the viewer: shown inline, never sniffed, framed, cached or taken by another site."""
    response = HttpResponse(data, content_type="image/png")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
