"""The training's forms: writing a module (officer) and answering one (everyone)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from closedstacks.access.roles import Role
from closedstacks.training import questions
from closedstacks.training.services import Content

QUESTIONS_HELP = _("One question per block, with a blank line between blocks. The first line of a block is the "
                   "question; each following line is a choice, starting with - for a wrong answer or * for the "
                   "one correct answer.")


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    roles = forms.MultipleChoiceField(label=_("Assigned to"), choices=Role.choices,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text=_("Everyone holding one of these roles must take it."))
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                help_text=_("An inactive module is assigned to no one."))


class VersionForm(forms.Form):
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 20}))
    pass_mark = forms.IntegerField(label=_("Pass mark (%)"), min_value=1, max_value=100, initial=80)
    attestation = forms.CharField(label=_("Attestation"), max_length=300,
                                  help_text=_("What people tick when they pass, e.g. “I have read and will "
                                              "follow the library's confidentiality policy.”"))
    questions = forms.CharField(label=_("Questions"), widget=forms.Textarea(attrs={"rows": 16}),
                                help_text=QUESTIONS_HELP)

    def clean_questions(self):
        try:
            return questions.parse(self.cleaned_data["questions"])
        except questions.QuestionFormatError as exc:
            raise forms.ValidationError(str(exc).split("\n")) from None

    def content(self) -> Content:
        data = self.cleaned_data
        return Content(body=data["body"], pass_mark=data["pass_mark"], attestation=data["attestation"],
                       questions=data["questions"])


class TakeForm(forms.Form):
    """One radio group per question of a version, and the attestation."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, initial={"version": version.number}, **kwargs)
        self.questions = list(version.questions.all())
        for number, question in enumerate(self.questions, start=1):
            self.fields[self.name_for(question)] = forms.TypedChoiceField(
                label=f"{number}. {question.text}", coerce=int, widget=forms.RadioSelect,
                choices=[(choice.pk, choice.text) for choice in question.choices.all()],
                error_messages={"required": _("Choose an answer.")})
        self.fields["attest"] = forms.BooleanField(
            label=version.attestation, error_messages={"required": _("Tick this to complete the module.")})

    @staticmethod
    def name_for(question) -> str:
        return f"q{question.pk}"

    def answers(self) -> dict[int, int]:
        return {question.pk: self.cleaned_data[self.name_for(question)] for question in self.questions}

    def mark_wrong(self, wrong: list[int]) -> None:
        for question in self.questions:
            if question.pk in wrong:
                self.add_error(self.name_for(question), _("This answer is not right. Read that part again."))
