from django import forms
from django.utils.translation import gettext_lazy as _

from closedstacks.access.roles import Role
from closedstacks.accounts.models import User
from closedstacks.library.models import ChecklistItem, LibraryProfile


class ProfileForm(forms.ModelForm):
    class Meta:
        model = LibraryProfile
        fields = ["name", "jurisdiction", "statute", "responsible_officer", "alternate_officer", "officer_phone",
                  "after_hours_phone", "officer_email", "emergency_disclosure_allowed", "guardian_rule",
                  "guardian_age_limit", "consent_honoured", "reminder_lead_days"]
        widgets = {"guardian_rule": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        officers = User.objects.filter(is_active=True, role_grants__role=Role.OFFICER).distinct()
        self.fields["responsible_officer"].queryset = officers
        self.fields["alternate_officer"].queryset = User.objects.filter(
            is_active=True, role_grants__role__in=[Role.OFFICER, Role.DIRECTOR]).distinct()


class PolicyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 20}))


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["instrument_type", "position", "text", "guidance", "active"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}
