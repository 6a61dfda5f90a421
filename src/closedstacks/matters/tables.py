import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from closedstacks.matters.models import Deadline, Matter


class MatterTable(tables.Table):
    reference = tables.LinkColumn("matters:detail", args=[tables.A("reference")], verbose_name=_("Matter"))
    state = tables.Column(verbose_name=_("Stands at"))
    kind = tables.Column(verbose_name=_("Kind"))
    logged_at = tables.DateTimeColumn(verbose_name=_("Logged"), format="Y-m-d H:i")
    counsel = tables.Column(verbose_name=_("Counsel"), accessor="counsel__full_name", default="—")

    class Meta:
        model = Matter
        fields = ("reference", "state", "kind", "logged_at", "counsel")
        order_by = ("-logged_at",)
        empty_text = _("Nothing here.")


class DeadlineTable(tables.Table):
    matter = tables.LinkColumn("matters:detail", args=[tables.A("matter__reference")], accessor="matter__reference",
                               verbose_name=_("Matter"))
    kind = tables.Column(verbose_name=_("Deadline"))
    due_on = tables.DateColumn(verbose_name=_("Due"), format="Y-m-d")
    overdue = tables.BooleanColumn(verbose_name=_("Overdue"), orderable=False)

    class Meta:
        model = Deadline
        fields = ("matter", "kind", "due_on", "overdue")
        empty_text = _("No open deadlines.")
        row_attrs = {"class": lambda record: "overdue" if record.overdue else ""}
