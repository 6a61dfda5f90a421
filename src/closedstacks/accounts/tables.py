import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from closedstacks.accounts.models import User


class AccountTable(tables.Table):
    username = tables.LinkColumn("accounts:detail", args=[tables.A("pk")], verbose_name=_("Username"))
    full_name = tables.Column(verbose_name=_("Name"))
    roles = tables.Column(verbose_name=_("Roles"), accessor="pk", orderable=False)
    status = tables.Column(verbose_name=_("Status"), accessor="pk", orderable=False)
    second_factor = tables.BooleanColumn(verbose_name=_("Second factor"), orderable=False)
    last_login = tables.DateTimeColumn(verbose_name=_("Last sign-in"), short=True)

    class Meta:
        model = User
        fields = ("username", "full_name", "roles", "status", "second_factor", "last_login")
        empty_text = _("No accounts.")

    def __init__(self, *args, locked=frozenset(), **kwargs):
        self.locked = locked
        super().__init__(*args, **kwargs)

    def render_roles(self, record):
        return ", ".join(record.role_labels()) or "—"

    def render_status(self, record):
        if not record.is_active:
            return _("disabled")
        if record.username in self.locked:
            return _("locked")
        return _("active")
