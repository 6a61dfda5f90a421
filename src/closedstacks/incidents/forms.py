"""Forms for reports and breaches: they parse; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.incidents.models import BREACH_KINDS, Disclosed, IncidentKind, NotifyDecision, Severity
from closedstacks.library.models import ServicePoint

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SHORT = forms.Textarea(attrs={"rows": 2})


class ReportForm(forms.Form):
    """Under two minutes: what kind, when, where, who, what, whether anything was disclosed, witnesses."""

    kind = forms.ChoiceField(label=_("What are you reporting?"), widget=forms.RadioSelect, choices=[
        (IncidentKind.UNAUTHORIZED_DEMAND, _("Someone demanded records without a subpoena, order or warrant "
                                             "(police without papers, a relative, an employer, a journalist…)")),
        (IncidentKind.THREAT, _("Someone threatened me or a colleague, or would not take no for an answer")),
        (IncidentKind.PRIVACY_PROBLEM, _("Another privacy problem (a misdirected notice, a screen left signed "
                                         "in, a vendor asking for data, a lost device…)")),
    ])
    occurred_at = forms.DateTimeField(label=_("When"), widget=DATETIME, initial=timezone.now)
    service_point = forms.ModelChoiceField(label=_("Service point"), queryset=ServicePoint.objects.none(),
                                           required=False, empty_label=_("— not at a service point —"))
    place = forms.CharField(label=_("Where (if not a service point, or more precisely)"), max_length=200,
                            required=False)
    who = forms.CharField(label=_("Who (as far as you know)"), widget=SHORT, required=False,
                          help_text=_("The person who asked or acted: name, agency or employer, description."))
    what = forms.CharField(label=_("What was demanded, or what happened"), widget=forms.Textarea(attrs={"rows": 4}))
    disclosed = forms.ChoiceField(label=_("Was anything disclosed?"), choices=Disclosed.choices,
                                  widget=forms.RadioSelect, initial=Disclosed.NO)
    disclosed_what = forms.CharField(label=_("If so, what"), widget=SHORT, required=False,
                                     help_text=_("What kind of information, not the details themselves."))
    witnesses = forms.CharField(label=_("Witnesses"), widget=SHORT, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_point"].queryset = ServicePoint.objects.select_related("branch")


class _ReportStep(forms.Form):
    """A step on the officer's desk: carries the version the officer saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class TriageForm(_ReportStep):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, widget=forms.RadioSelect)
    due_on = forms.DateField(label=_("Due (leave empty to follow the severity)"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), widget=SHORT, required=False)


class ActionForm(_ReportStep):
    text = forms.CharField(label=_("What was done"), widget=SHORT)


class CloseForm(_ReportStep):
    outcome = forms.CharField(label=_("Outcome"), widget=SHORT)


class ReopenForm(_ReportStep):
    reason = forms.CharField(label=_("Why reopen it"), widget=SHORT)


class ConfirmForm(_ReportStep):
    pass


KINDS = forms.MultipleChoiceField(label=_("Kinds of record affected"), choices=BREACH_KINDS,
                                  widget=forms.CheckboxSelectMultiple)


class DeclareBreachForm(_ReportStep):
    record_kinds = KINDS
    discovered_on = forms.DateField(label=_("Discovered on"), widget=DATE, initial=timezone.localdate)


class BreachForm(forms.Form):
    record_kinds = KINDS
    discovered_on = forms.DateField(label=_("Discovered on"), widget=DATE)
    contained_on = forms.DateField(label=_("Contained on"), widget=DATE, required=False)
    authority_notified_on = forms.DateField(label=_("Authority notified on"), widget=DATE, required=False)


class AffectedForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    identifier = forms.CharField(label=_("Card number or other identifier"), max_length=100, required=False)
    address = forms.CharField(label=_("Postal address for the notice"), widget=SHORT, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    record_kinds = forms.MultipleChoiceField(label=_("Their records affected (empty: all the breach's kinds)"),
                                             choices=BREACH_KINDS, widget=forms.CheckboxSelectMultiple,
                                             required=False)


class FindAffectedForm(forms.Form):
    lookup = forms.ChoiceField(label=_("Find by"), widget=forms.RadioSelect, initial="card", choices=[
        ("card", _("Card number")), ("username", _("Username")), ("id", _("The library system's id"))])
    value = forms.CharField(label=_("Card number, username or id"), max_length=100)
    reason = forms.CharField(label=_("Why this person is thought affected"), max_length=500,
                             help_text=_("Kept with the breach and listed for the auditor: say what links them to "
                                         "the breach, without naming them."), widget=forms.Textarea(attrs={"rows": 2}))
    record_kinds = forms.MultipleChoiceField(label=_("Their records affected (empty: all the breach's kinds)"),
                                             choices=BREACH_KINDS, widget=forms.CheckboxSelectMultiple,
                                             required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[c for c in NotifyDecision.choices if c[0]])
    reasons = forms.CharField(label=_("Reasons (as counsel advised)"), widget=SHORT)
    notice_text = forms.CharField(label=_("What the notice tells the affected people"),
                                  widget=forms.Textarea(attrs={"rows": 5}), required=False,
                                  help_text=_("What happened, what records, what the library has done, what they "
                                              "can do. The letter adds their name, address and the contacts."))


class NotifiedForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(label=_("Notified on"), widget=DATE, initial=timezone.localdate)
