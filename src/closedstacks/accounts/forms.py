from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from closedstacks.access.roles import Role
from closedstacks.library.models import Branch


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("That username and password do not match an active account. "
                           "After several failures the account is locked."),
        "inactive": _("This account is disabled."),
    }


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "class": "code",
                                      "autofocus": True, "spellcheck": "false"}),
    )


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", Role.choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Roles"))
        super().__init__(**kwargs)


class AccountForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False,
                             help_text=_("Where notices for this person, and their one-time link to set a password, "
                                         "are sent. Required for every role except Staff."))
    roles = RolesField(help_text=_("Every role except Staff requires a second factor at sign-in, and a second "
                                   "person's approval before the account is made."))
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.all()


class BranchForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False,
                                    empty_label=_("— no branch —"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.all()


class RolesForm(forms.Form):
    roles = RolesField()


class DecisionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"

    change = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))])


class LinkPasswordForm(forms.Form):
    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                 "autofocus": True}))
