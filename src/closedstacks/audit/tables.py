"""The trail as a table in words (closedstacks.audit.words): what happened, about what, with which details.

Each cell says which column it is in (``data-label``), so that on a narrow screen a row stacks into a card.
"""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from closedstacks.audit import words
from closedstacks.audit.models import AuditEntry

SHORT_HASH = 12


def _cell(label, css: str = "") -> dict:
    td = {"data-label": label}
    if css:
        td["class"] = css
    return {"td": td, **({"th": {"class": css}} if css else {})}


class EntryTable(tables.Table):
    seq = tables.Column(verbose_name="#", attrs=_cell("#", "num"))
    at = tables.DateTimeColumn(verbose_name=_("When"), attrs=_cell(_("When"), "when"))
    actor_label = tables.Column(verbose_name=_("Who"), attrs=_cell(_("Who")))
    action = tables.Column(verbose_name=_("What happened"), attrs=_cell(_("What happened")))
    object_ref = tables.Column(verbose_name=_("About"), orderable=False, attrs=_cell(_("About")))
    details = tables.Column(verbose_name=_("Details"), orderable=False, attrs=_cell(_("Details"), "details"))
    hash = tables.Column(verbose_name=_("Hash"), orderable=False, attrs=_cell(_("Hash"), "hash"))

    def render_at(self, value, record):
        local = timezone.localtime(value)
        return format_html("<span>{}</span> <span>{}</span>", dateformat.format(local, "Y-m-d"),
                           dateformat.format(local, "H:i:s"))

    def render_actor_label(self, value, record):
        return _("withheld") if record.withheld else value

    def render_action(self, value, record):
        return "" if record.withheld else words.label(value)

    def render_object_ref(self, value, record):
        if record.withheld or not record.object_type:
            return ""
        return format_html("{} <span class=\"object-id\">{}</span>", words.object_type(record.object_type),
                           record.object_id)

    def render_details(self, value, record):
        if record.withheld:
            return ""
        return render_to_string("audit/_details.html", {"items": words.details(record.details_data)})

    def render_hash(self, value, record):
        return render_to_string("audit/_hash.html", {"hash": value, "short": value[:SHORT_HASH],
                                                     "prev_hash": record.prev_hash})

    class Meta:
        model = AuditEntry
        fields = ("seq", "at", "actor_label", "action", "object_ref", "details", "hash")
        order_by = ("-seq",)
        empty_text = _("No entries match.")
        attrs = {"class": "audit-entries"}
