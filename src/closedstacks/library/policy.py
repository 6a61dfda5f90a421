"""The confidentiality policy as HTML: Markdown rendered, then cleaned of anything but text and structure."""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import mark_safe

ALLOWED = {"p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "blockquote", "a", "br", "hr", "code",
           "table", "thead", "tbody", "tr", "th", "td"}


def as_html(text: str) -> str:
    html = markdown.markdown(text, extensions=["tables", "sane_lists"])
    return mark_safe(nh3.clean(html, tags=ALLOWED, attributes={"a": {"href"}}, link_rel="noopener noreferrer"))  # noqa: S308
