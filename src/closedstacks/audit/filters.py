import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from closedstacks.audit.models import AuditEntry

DATE = forms.DateInput(attrs={"type": "date"})


class EntryFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="iexact", label=_("Actor"))
    action = django_filters.CharFilter(field_name="action", lookup_expr="startswith", label=_("Action"),
                                       help_text=_("For example account. or account.role_granted"))
    object_type = django_filters.CharFilter(field_name="object_type", lookup_expr="exact", label=_("Object type"))
    object_id = django_filters.CharFilter(field_name="object_id", lookup_expr="exact", label=_("Object id"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"), widget=DATE)
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"), widget=DATE)

    class Meta:
        model = AuditEntry
        fields = []
