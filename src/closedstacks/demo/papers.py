"""The papers the demo's requesters bring: each instrument as the court or agency issued it, drawn as a PDF, so
the instrument viewer beside counsel's review has a document to show. Marked as a demonstration on every page."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from closedstacks.documents.pdf import html_to_pdf

_STYLE = """
@page { size: letter; margin: 2.2cm 2.4cm;
        @bottom-center { content: "DEMONSTRATION ONLY: not a real court document";
                         font: 8pt sans-serif; color: #888; } }
body { font: 11.5pt/1.5 "DejaVu Serif", serif; color: #111; }
.court { text-align: center; font-weight: bold; text-transform: uppercase; letter-spacing: .05em; }
.caption { display: flex; justify-content: space-between; border-top: 1px solid #000; border-bottom: 1px solid #000;
           margin: 1.2em 0; padding: .6em 0; }
h1 { text-align: center; font-size: 15pt; letter-spacing: .1em; margin: 1em 0; }
.sign { margin-top: 3em; width: 45%; margin-left: 55%; border-top: 1px solid #000; padding-top: .3em; }
"""


def _day(value) -> str:
    return value.strftime("%B %-d, %Y") if value else "________"


def instrument_paper(data: dict, *, library: str) -> SimpleUploadedFile:
    """The instrument described by ``data`` (the fields of an instrument) as the PDF a requester handed over."""
    from closedstacks.matters.models import InstrumentType

    kind = InstrumentType(data["type"]).label
    returns = timezone.localtime(data["return_at"]) if data.get("return_at") else None
    body = f"""<html><head><meta charset="utf-8"><style>{_STYLE}</style></head><body>
<p class="court">{escape(data["issuing_authority"])}</p>
<div class="caption"><span>{escape(data.get("caption") or "In the matter of an investigation")}</span>
<span>Case No. {escape(data.get("case_number") or "________")}</span></div>
<h1>{escape(str(kind)).upper()}</h1>
<p>To: the Custodian of Records, {escape(library)}.</p>
<p>You are commanded to produce the following records: {escape(data.get("designation_text") or "")}</p>
<p>Records from {_day(data.get("date_from"))} to {_day(data.get("date_to"))}.</p>
<p>Return: {escape(returns.strftime("%B %-d, %Y at %-I:%M %p") if returns else "________")},
{escape(data.get("return_place") or "________")}.</p>
<p>Issued {_day(data.get("issued_on"))}. Served {_day(data.get("served_on"))},
{escape(data.get("service_manner") or "")}.</p>
<p class="sign">Clerk of the Court</p>
</body></html>"""
    name = f"{data['type']}-{data.get('case_number') or 'request'}.pdf".replace("/", "-")
    return SimpleUploadedFile(name, html_to_pdf(body), content_type="application/pdf")
