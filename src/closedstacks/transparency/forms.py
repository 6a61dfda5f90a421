from django import forms
from django.utils.translation import gettext_lazy as _

from closedstacks.transparency.models import TransparencyReport


class NewReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("Period"), choices=TransparencyReport.Half.choices, coerce=int)
    band_size = forms.TypedChoiceField(label=_("National security letters and FISA orders are reported in bands of"),
                                       choices=[(500, "500 (0–499)"), (1000, "1,000 (0–999)")], coerce=int)


class NarrativeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    narrative = forms.CharField(label=_("Narrative for the board and the public"), widget=forms.Textarea(
        attrs={"rows": 8}), max_length=20_000, required=False,
        help_text=_("What the figures mean, what the library changed, what it challenged. Name no user."))


class PublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("I have read this and confirm"), required=True, error_messages={
        "required": _("Tick the confirmation to publish: publishing cannot be undone.")})
