import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from closedstacks.access.roles import Role
from closedstacks.library.choices import EMERGENCY, VERIFIED_FOR, InstrumentType, VerificationMethod
from closedstacks.library.models import Authority, Branch, ChecklistItem, Contact, LibraryProfile, ServicePoint


class ProfileForm(forms.ModelForm):
    class Meta:
        model = LibraryProfile
        fields = ["name", "postal_address", "signature_title", "letter_language", "jurisdiction", "statute",
                  "responsible_officer", "alternate_officer",
                  "emergency_disclosure_allowed", "guardian_rule", "guardian_age_limit", "consent_honoured",
                  "reminder_lead_days", "training_required", "training_valid_days", "training_reminder_days",
                  "danger_now_text"]
        widgets = {"guardian_rule": forms.RadioSelect, "postal_address": forms.Textarea(attrs={"rows": 4}),
                   "danger_now_text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()  # noqa: N806  (accounts is above the library's settings)
        officers = User.objects.filter(is_active=True, role_grants__role=Role.OFFICER).distinct()
        self.fields["responsible_officer"].queryset = officers
        self.fields["alternate_officer"].queryset = User.objects.filter(
            is_active=True, role_grants__role__in=[Role.OFFICER, Role.DIRECTOR]).distinct()
        # Which verifications of the requester suffice, for each instrument type and for an emergency.
        labels = dict(InstrumentType.choices) | {EMERGENCY: _("An emergency request")}
        for kind in VERIFIED_FOR:
            self.fields[f"verify_{kind}"] = forms.MultipleChoiceField(
                label=_("Verifications that suffice: %(kind)s") % {"kind": labels[kind]},
                choices=VerificationMethod.choices, widget=forms.CheckboxSelectMultiple,
                initial=self.instance.accepted_verifications(kind),
                help_text=_("Before a scope is approved or an emergency disclosure decided, at least one of these "
                            "must have confirmed the request.") if kind == VERIFIED_FOR[0] else "")

    def clean(self):
        data = super().clean()
        self.instance.verification_methods = {
            kind: data[f"verify_{kind}"] for kind in VERIFIED_FOR if data.get(f"verify_{kind}")}
        return data

    @property
    def changed_data(self):
        names = super().changed_data
        verifying = [name for name in names if name.startswith("verify_")]
        return [name for name in names if name not in verifying] + (["verification_methods"] if verifying else [])


class PolicyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 20}))


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["instrument_type", "position", "text", "guidance", "active"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["kind", "name", "title", "office_phone", "after_hours_phone", "email", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = _("Among contacts of the same kind, lower comes first.")

    def clean_position(self):
        return self.cleaned_data.get("position") or 0

    def clean(self):
        data = super().clean()
        if not (data.get("office_phone") or data.get("after_hours_phone") or data.get("email")):
            raise forms.ValidationError(_("Give at least one way to reach them: a phone number or an e-mail."))
        return data


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = ["name"]


class ServicePointForm(forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = ["branch", "name", "phone"]


class PolicyDateForm(forms.Form):
    on = forms.DateField(label=_("Which version was in force on"), widget=forms.DateInput(attrs={"type": "date"}))


_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


class AuthorityForm(forms.ModelForm):
    email_domains = forms.CharField(
        label=_("Known e-mail domains"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line or separated by commas, as in police.example.gov. A request from any other "
                    "domain is flagged."))

    class Meta:
        model = Authority
        fields = ["kind", "name", "phone", "postal_address", "email_domains", "clerk_contacts", "source", "active"]
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 3}),
                   "clerk_contacts": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["email_domains"] = "\n".join(self.instance.email_domains)

    def clean_email_domains(self):
        domains = []
        for part in re.split(r"[\s,;]+", self.cleaned_data.get("email_domains") or ""):
            domain = part.strip().lower().lstrip("@").rstrip(".")
            if not domain:
                continue
            if not _DOMAIN.fullmatch(domain):
                raise forms.ValidationError(_("“%(domain)s” is not a domain name.") % {"domain": part})
            if domain not in domains:
                domains.append(domain)
        return domains

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if sum(ch.isdigit() for ch in phone) < 7:
            raise forms.ValidationError(_("Give the whole telephone number, with its area code."))
        return phone
