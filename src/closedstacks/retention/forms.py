from django import forms
from django.utils.translation import gettext_lazy as _

from closedstacks.retention.policies import MAX_DAYS


class PolicyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    keep_days = forms.IntegerField(label=_("Days to keep linked after it closes"), min_value=0, max_value=MAX_DAYS)
    respect_opt_in = forms.BooleanField(label=_("Keep it for users who chose to keep their history"),
                                        required=False)
    keep_outstanding = forms.BooleanField(label=_("Keep fines still owed"), required=False)
    enabled = forms.BooleanField(label=_("Unlink on retention runs"), required=False)


class ScheduleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    every_days = forms.IntegerField(label=_("Run by itself every this many days (0: only when started by hand)"),
                                    min_value=0, max_value=366)
