"""The trail's filter: chosen from lists in words, with the same query parameters as the API.

Each select offers what the product records (closedstacks.audit.words) and the staff accounts, but still takes
any value an older link or the API names (``action=account.role``, ``actor=cli:root``): it filters by it and
shows it as chosen.
"""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from closedstacks.audit import words
from closedstacks.audit.models import AuditEntry
from closedstacks.audit.trail import SYSTEM

DATE = forms.DateInput(attrs={"type": "date"})
ANY = ("", _("Any"))


class OpenChoiceField(forms.ChoiceField):
    """A select that also takes a value it does not list, and then lists it (labelled by ``describe``)."""

    def __init__(self, *, describe=str, **kwargs):
        self.describe = describe
        super().__init__(**kwargs)

    def valid_value(self, value):
        return True

    def offer(self, value: str) -> None:
        if value and not super().valid_value(value):
            self.choices = [*self.choices, (value, self.describe(value))]


class OpenChoiceFilter(django_filters.CharFilter):
    field_class = OpenChoiceField


def _actors():
    """The staff accounts (by username, as entries name them), and the system."""
    people = get_user_model().objects.order_by("username").only("username", "first_name", "last_name")
    return [ANY, (SYSTEM, gettext("The system (jobs and schedules)")),
            *((person.username, _named(person)) for person in people)]


def _named(person) -> str:
    full = person.get_full_name().strip()
    return f"{full} ({person.username})" if full else person.username


class EntryFilter(django_filters.FilterSet):
    actor = OpenChoiceFilter(field_name="actor_label", lookup_expr="iexact", label=_("Who"), choices=_actors)
    action = OpenChoiceFilter(field_name="action", lookup_expr="startswith", label=_("What happened"),
                              choices=lambda: [ANY, *words.action_choices()], describe=words.label)
    object_type = OpenChoiceFilter(field_name="object_type", lookup_expr="exact", label=_("About"),
                                   choices=lambda: [ANY, *words.object_type_choices()], describe=words.object_type)
    object_id = django_filters.CharFilter(field_name="object_id", lookup_expr="exact", label=_("Number"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"), widget=DATE)
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"), widget=DATE)

    class Meta:
        model = AuditEntry
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        for name in ("actor", "action", "object_type"):
            self.form.fields[name].offer((data or {}).get(name, ""))
