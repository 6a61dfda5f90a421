import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from closedstacks.audit.models import AuditEntry


class EntryTable(tables.Table):
    seq = tables.Column(verbose_name="#", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    at = tables.DateTimeColumn(verbose_name=_("When"), format="Y-m-d H:i:s")
    actor_label = tables.Column(verbose_name=_("Actor"))
    action = tables.Column(verbose_name=_("Action"))
    object_ref = tables.Column(verbose_name=_("Object"), orderable=False)
    details = tables.Column(verbose_name=_("Details"), orderable=False, attrs={"td": {"class": "mono"}})

    def render_actor_label(self, value, record):
        return _("withheld") if record.withheld else value

    def render_action(self, value, record):
        return "" if record.withheld else value

    def render_object_ref(self, value, record):
        return "" if record.withheld else value

    def render_details(self, value, record):
        return "" if record.withheld else value

    class Meta:
        model = AuditEntry
        fields = ("seq", "at", "actor_label", "action", "object_ref", "details")
        order_by = ("-seq",)
        empty_text = _("No entries match.")
