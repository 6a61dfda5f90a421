"""One form per step. The web pages and the JSON API both fill these; ``to_kwargs`` hands the
cleaned values to the step, which holds the rules."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.access.roles import Role
from closedstacks.accounts.models import User
from closedstacks.incidents.models import IncidentKind
from closedstacks.library.choices import IdentifierType, InstrumentType, RecordKind
from closedstacks.library.models import Authority, ChecklistItem
from closedstacks.matters.models import Matter, MatterDocument, MatterNote, Verification
from closedstacks.matters.states import Channel, Determination, OrderEnded

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
LINES = forms.Textarea(attrs={"rows": 4})


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def people_with(role: str):
    return User.objects.filter(is_active=True, role_grants__role=role).order_by("full_name", "username").distinct()


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class InquiryForm(forms.Form):
    """The desk form: under a minute."""

    requester_name = forms.CharField(label=_("Who asked"), max_length=200,
                                     help_text=_("Their name as they gave it, or a description."))
    requester_agency = forms.CharField(label=_("Agency or organisation"), max_length=200, required=False)
    requester_id = forms.CharField(label=_("Badge or ID number"), max_length=100, required=False)
    requester_contact = forms.CharField(label=_("How to reach them"), max_length=200, required=False)
    channel = forms.ChoiceField(label=_("How they asked"), choices=Channel.choices, widget=forms.RadioSelect,
                                initial=Channel.IN_PERSON)
    request_text = forms.CharField(label=_("What they asked for, in their words"), widget=forms.Textarea(
        attrs={"rows": 4}))
    document_presented = forms.BooleanField(label=_("They showed or left a document"), required=False)
    document = forms.FileField(label=_("Scan or photo of the document (PDF, JPEG or PNG)"), required=False)
    threatening = forms.BooleanField(label=_("They were threatening or insistent"), required=False)


class _MatterForm(forms.Form):
    """A step's form: knows its matter, and carries the version the person saw.

    ``FORMSETS`` names the lists of rows a step takes besides its fields (prefix → what each row holds, and
    whether the step needs at least one), so that the API takes them as lists of objects and describes them.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    FORMSETS: dict[str, tuple[str, bool]] = {}

    def __init__(self, *args, matter: Matter, **kwargs):
        self.matter = matter
        kwargs.setdefault("initial", {}).setdefault("version", matter.version)
        super().__init__(*args, **kwargs)

    def to_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class ExplainForm(_MatterForm):
    explained_to = forms.CharField(label=_("Explained to"), max_length=200)
    explained_at = forms.DateTimeField(label=_("When"), widget=DATETIME)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        self.fields["explained_to"].initial = matter.requester_name
        self.fields["explained_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class ReasonForm(_MatterForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class EndNondisclosureForm(_MatterForm):
    ended_on = forms.DateField(label=_("The day the order ended"), widget=DATE)
    how = forms.ChoiceField(label=_("How it ended"), choices=OrderEnded.choices)
    notes = forms.CharField(label=_("Notes (the order or letter that ended it)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(_MatterForm):
    reason = forms.CharField(label=_("Reason (for the record)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class IncidentForm(_MatterForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    summary = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))


class DesignatedForm(forms.Form):
    identifier_type = forms.ChoiceField(label=_("Identified by"), choices=IdentifierType.choices, required=False)
    value = forms.CharField(label=_("Identifier"), max_length=200, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth (if given)"), required=False, widget=DATE,
                                    help_text=_("Tells apart people of the same name."))


DesignatedFormSet = formset_factory(DesignatedForm, extra=3, max_num=50)


class WithDesignated(_MatterForm):
    """A step that records the library users a document designates (as a small formset)."""

    FORMSETS = {"designated": ("list[{identifier_type, value, date_of_birth}]", False)}

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        self.designated = DesignatedFormSet(self.data or None, prefix="designated")

    def is_valid(self) -> bool:
        return super().is_valid() & self.designated.is_valid()

    def to_kwargs(self) -> dict:
        data = super().to_kwargs()
        data["designated"] = [(row["identifier_type"] or IdentifierType.CARD, row["value"], row.get("date_of_birth"))
                              for row in self.designated.cleaned_data if row.get("value")]
        return data


class InstrumentForm(WithDesignated):
    type = forms.ChoiceField(label=_("Type"), choices=[c for c in InstrumentType.choices
                                                       if c[0] != InstrumentType.SEARCH_WARRANT])
    issuing_authority = forms.CharField(label=_("Issuing court or authority"), max_length=200)
    caption = forms.CharField(label=_("Case caption"), max_length=300, required=False)
    case_number = forms.CharField(label=_("Case number"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("Date issued"), required=False, widget=DATE)
    served_on = forms.DateField(label=_("Date served"), required=False, widget=DATE)
    service_manner = forms.CharField(label=_("Manner of service"), max_length=200, required=False)
    return_at = forms.DateTimeField(label=_("Return or appearance date"), required=False, widget=DATETIME)
    return_place = forms.CharField(label=_("Return or appearance place"), max_length=300, required=False)
    record_kinds = forms.MultipleChoiceField(label=_("Kinds of record designated"), choices=RecordKind.choices,
                                             widget=forms.CheckboxSelectMultiple, required=False)
    date_from = forms.DateField(label=_("Records from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Records to"), required=False, widget=DATE)
    designation_text = forms.CharField(label=_("What it designates, in its words"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    nondisclosure = forms.BooleanField(label=_("A nondisclosure order is attached"), required=False)
    nondisclosure_until = forms.DateField(label=_("Nondisclosure until"), required=False, widget=DATE)
    file = forms.FileField(label=_("The instrument (PDF, JPEG or PNG)"), required=False)


class AssignCounselForm(_MatterForm):
    counsel = PersonChoice(label=_("Counsel"), queryset=User.objects.none())

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        self.fields["counsel"].queryset = people_with(Role.COUNSEL)


class _ChecklistForm(_MatterForm):
    """Counsel's checklist for the current instrument's type: one answer and note per item."""

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        instrument = matter.current_instrument()
        self.items = list(ChecklistItem.objects.filter(instrument_type=instrument.type, active=True)) \
            if instrument else []
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=item.text, help_text=item.guidance, widget=forms.RadioSelect, required=False,
                choices=[("yes", _("Yes")), ("no", _("No")), ("na", _("Not applicable"))])
            self.fields[f"note_{item.pk}"] = forms.CharField(label=_("Note"), required=False, max_length=500)
        # The checklist first, then what counsel concludes from it.
        self.order_fields([name for item in self.items for name in (f"item_{item.pk}", f"note_{item.pk}")])

    def to_kwargs(self) -> dict:
        data = super().to_kwargs()
        answers = {}
        for item in self.items:
            answers[item.pk] = (data.pop(f"item_{item.pk}", ""), data.pop(f"note_{item.pk}", ""))
        data["answers"] = answers
        return data


class DetermineForm(_ChecklistForm):
    determination = forms.ChoiceField(label=_("Determination"), choices=Determination.choices,
                                      widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    defects = forms.CharField(label=_("Defects to be cured, one per line"), required=False, widget=LINES)
    cure_deadline = forms.DateField(label=_("Response deadline for the cure"), required=False, widget=DATE)

    def to_kwargs(self) -> dict:
        data = super().to_kwargs()
        data["defects"] = lines(data["defects"])
        return data


class ReviewAfterForm(_ChecklistForm):
    proper = forms.TypedChoiceField(label=_("Was it done properly?"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("Yes")), ("no", _("No: refer the problem to the officer"))],
                                    widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))


class ChallengeOutcomeForm(_MatterForm):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect, choices=[
        ("quashed", _("Quashed")), ("withdrawn", _("Withdrawn by the requester")),
        ("upheld", _("Upheld: the instrument stands"))])
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProposeScopeForm(_MatterForm):
    users = forms.MultipleChoiceField(label=_("Users"), widget=forms.CheckboxSelectMultiple)
    record_kinds = forms.MultipleChoiceField(label=_("Kinds of record"), widget=forms.CheckboxSelectMultiple)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        instrument = matter.current_instrument()
        designated = list(instrument.designated_users.all()) if instrument else []
        self.fields["users"].choices = [(str(p.pk), str(p)) for p in designated]
        self.fields["record_kinds"].choices = [(k, RecordKind(k).label) for k in (instrument.record_kinds
                                                                                   if instrument else [])]
        if instrument:
            self.fields["date_from"].initial = instrument.date_from
            self.fields["date_to"].initial = instrument.date_to


class ConfirmForm(_MatterForm):
    pass


class AssignCustodianForm(_MatterForm):
    custodian = PersonChoice(label=_("Records custodian"), queryset=User.objects.none())

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        self.fields["custodian"].queryset = people_with(Role.CUSTODIAN)


class NamePersonForm(_MatterForm):
    person = PersonChoice(label=_("Colleague"), queryset=User.objects.none())

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        self.fields["person"].queryset = User.objects.filter(
            is_active=True, role_grants__role__in=[Role.OFFICER, Role.DIRECTOR, Role.COUNSEL, Role.CUSTODIAN]
        ).exclude(pk__in=matter.members.values("user")).order_by("full_name", "username").distinct()


class OfficerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    id = forms.CharField(label=_("Badge or ID"), max_length=100, required=False)
    agency = forms.CharField(label=_("Agency"), max_length=200, required=False)


OfficerFormSet = formset_factory(OfficerForm, extra=3, max_num=20)


class WarrantForm(WithDesignated):
    FORMSETS = {**WithDesignated.FORMSETS, "officers": ("list[{name, id, agency}]", True)}

    issuing_authority = forms.CharField(label=_("Issuing court and judge"), max_length=200)
    case_number = forms.CharField(label=_("Warrant or case number"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("Date issued"), required=False, widget=DATE)
    designation_text = forms.CharField(label=_("What it describes (place and items)"),
                                       widget=forms.Textarea(attrs={"rows": 2}))
    record_kinds = forms.MultipleChoiceField(label=_("Kinds of record it names"), choices=RecordKind.choices,
                                             widget=forms.CheckboxSelectMultiple, required=False)
    executed_at = forms.DateTimeField(label=_("Executed at"), widget=DATETIME)
    counsel_called = forms.CharField(label=_("Counsel called (who)"), max_length=200)
    counsel_called_at = forms.DateTimeField(label=_("Counsel called at"), widget=DATETIME)
    inventory = forms.CharField(label=_("What was taken or copied, one item per line"), widget=LINES)
    outside_records_viewed = forms.BooleanField(label=_("Records outside the warrant were viewed"), required=False)
    outside_records_note = forms.CharField(label=_("Which, and by whom"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("The warrant (PDF, JPEG or PNG)"), required=False)

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        self.officers = OfficerFormSet(self.data or None, prefix="officers")
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["executed_at"].initial = now
        self.fields["counsel_called_at"].initial = now

    def is_valid(self) -> bool:
        return super().is_valid() & self.officers.is_valid()

    def to_kwargs(self) -> dict:
        data = super().to_kwargs()
        data["officers_present"] = [row for row in self.officers.cleaned_data if row.get("name")]
        data["inventory"] = lines(data["inventory"])
        return data


class EmergencyForm(WithDesignated):
    statement = forms.CharField(label=_("The imminent danger, as the requester states it"),
                                widget=forms.Textarea(attrs={"rows": 3}))
    signed_by = forms.CharField(label=_("Signed by"), max_length=200)
    signed_statement_received = forms.BooleanField(label=_("The signed statement is in hand"), required=False)
    agency = forms.CharField(label=_("Agency"), max_length=200, required=False)


class DecideEmergencyForm(_MatterForm):
    disclose = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                      choices=[("yes", _("Disclose identity only")), ("no", _("Refuse"))])
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    counsel = PersonChoice(label=_("Counsel to review afterwards"), queryset=User.objects.none())

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        self.fields["counsel"].queryset = people_with(Role.COUNSEL)


class ConsentForm(WithDesignated):
    basis = forms.ChoiceField(label=_("Basis"), widget=forms.RadioSelect, choices=[
        ("guardian", _("A parent or guardian of a minor")), ("consent", _("The user's written consent"))])
    relationship = forms.CharField(label=_("Relationship to the minor"), max_length=200, required=False)
    minor_age = forms.IntegerField(label=_("The minor's age"), required=False, min_value=0, max_value=25)
    uses_minors_card = forms.BooleanField(label=_("They are using the minor's own card"), required=False)
    verified = forms.BooleanField(label=_("I verified the relationship or the consent"), required=False)
    verification = forms.CharField(label=_("How it was verified"), widget=forms.Textarea(attrs={"rows": 2}))
    record_kinds = forms.MultipleChoiceField(label=_("Kinds of record asked for"), choices=RecordKind.choices,
                                             widget=forms.CheckboxSelectMultiple, required=False)
    file = forms.FileField(label=_("The signed consent (PDF, JPEG or PNG)"), required=False)


class CompileForm(_MatterForm):
    reason = forms.CharField(label=_("Why this replaces the last production (for a correction)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class _ProductionForm(_MatterForm):
    """Names the production the person reviewed: approving a different one than they saw is refused."""

    production = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        latest = matter.productions.order_by("-number").first()
        self.fields["production"].initial = latest.number if latest else None


class ApproveProductionForm(_ProductionForm):
    checked = forms.BooleanField(label=_("I checked the manifest against the scope: only the scoped users, kinds "
                                         "and dates, and only the fields a production needs"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def to_kwargs(self) -> dict:
        data = super().to_kwargs()
        data.pop("checked")
        return data


class ReturnProductionForm(_ProductionForm):
    reason = forms.CharField(label=_("What is wrong with it"), widget=forms.Textarea(attrs={"rows": 3}))


class ReleaseForm(_MatterForm):
    recipient = forms.CharField(label=_("Released to (name, office, agency)"), max_length=300)
    method = forms.ChoiceField(label=_("How"), widget=forms.RadioSelect, choices=[
        ("in_person", _("In person, at the appearance")), ("mail", _("By mail")),
        ("secure_transfer", _("By secure electronic transfer"))])
    released_at = forms.DateTimeField(label=_("When"), widget=DATETIME)
    notes = forms.CharField(label=_("Notes (receipt, tracking number)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, matter=matter, **kwargs)
        self.fields["released_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class CloseReleasedForm(_MatterForm):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect, choices=[
        ("released_full", _("Records released in full")), ("released_part", _("Records released in part"))])
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


ACTION_FORMS = {
    "explain_policy": ExplainForm,
    "decline": DeclineForm,
    "refer_incident": IncidentForm,
    "attach_instrument": InstrumentForm,
    "assign_counsel": AssignCounselForm,
    "determine": DetermineForm,
    "cure": InstrumentForm,
    "challenge_outcome": ChallengeOutcomeForm,
    "propose_scope": ProposeScopeForm,
    "approve_scope": ConfirmForm,
    "return_scope": ReasonForm,
    "assign_custodian": AssignCustodianForm,
    "name_person": NamePersonForm,
    "record_warrant": WarrantForm,
    "review_after": ReviewAfterForm,
    "record_emergency": EmergencyForm,
    "decide_emergency": DecideEmergencyForm,
    "record_consent": ConsentForm,
    "withdraw": ReasonForm,
    "end_nondisclosure": EndNondisclosureForm,
    "compile_production": CompileForm,
    "approve_production": ApproveProductionForm,
    "return_production": ReturnProductionForm,
    "release_production": ReleaseForm,
    "close_released": CloseReleasedForm,
}


class NoteForm(forms.Form):
    """A note or a piece of correspondence on a matter's timeline."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MatterNote.Kind.choices)
    happened_at = forms.DateTimeField(label=_("When it happened"),
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    parties = forms.CharField(label=_("Who with"), max_length=300, required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea)


class LetterLanguageForm(forms.Form):
    """The language of a matter's letters to its requester."""

    language = forms.ChoiceField(label=_("Letters to the requester in"), required=False,
                                 choices=[("", _("The library's language of letters"))] + list(settings.LANGUAGES))


class DocumentForm(forms.Form):
    """A further document on a matter: what it is, and the file (checked like every upload)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MatterDocument.Kind.choices)
    title = forms.CharField(label=_("What it is"), max_length=200)
    upload = forms.FileField(label=_("File (PDF, PNG or JPEG)"))


class ExtensionForm(forms.Form):
    """A deadline moved by agreement with the issuing party."""

    to_day = forms.DateField(label=_("New date"), widget=DATE)
    agreed_with = forms.CharField(label=_("Agreed with"), max_length=300)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class VerificationForm(forms.Form):
    """How the request was verified, through the library's directory of agencies and courts."""

    method = forms.ChoiceField(label=_("How"), choices=Verification.Method.choices)
    authority = forms.ModelChoiceField(label=_("Agency or court, from the directory"), required=False,
                                       queryset=Authority.objects.filter(active=True))
    confirmed = forms.TypedChoiceField(label=_("Did they confirm the request?"), coerce=lambda v: v == "yes",
                                       choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect)
    person_reached = forms.CharField(label=_("Who confirmed it (or whose credentials were seen)"), max_length=200,
                                     required=False)
    number_on_request = forms.CharField(label=_("Telephone number printed on the request, if any"), max_length=40,
                                        required=False)
    sender_address = forms.CharField(label=_("E-mail address the request came from, if it came by e-mail"),
                                     max_length=254, required=False)
    case_number = forms.CharField(label=_("Case number asked about"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
