"""The renderer that draws the common widgets in Python writes exactly what Django's own templates write: for
every form of the procedure, the matters list's filters, the case file's forms and the library's settings,
unbound and bound with errors, field by field."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from closedstacks.library.forms import ProfileForm
from closedstacks.matters.finding import NarrowingForm
from closedstacks.matters.forms import ACTION_FORMS, DocumentForm, ExtensionForm, LetterLanguageForm, NoteForm
from closedstacks.web.rendering import Renderer
from tests.procedure import matter_at

DJANGO, OURS = DjangoTemplates(), Renderer()


def _same(form: forms.Form) -> int:
    compared = 0
    for field in form:
        form.renderer = DJANGO
        theirs = (field.as_field_group(), str(field), field.label_tag())
        form.renderer = OURS
        ours = (field.as_field_group(), str(field), field.label_tag())
        assert ours == theirs, (type(form).__name__, field.name)
        compared += 1
    return compared


class Every(forms.Form):
    """Each kind of widget, with the attributes that are written specially (True, False, None, quotes)."""

    text = forms.CharField(label='Say "hi" & <go>', help_text="<b>help</b>", required=True,
                           widget=forms.TextInput(attrs={"autofocus": True, "data-x": None, "hidden": False}))
    email = forms.EmailField()
    number = forms.IntegerField(min_value=1)
    secret = forms.CharField(widget=forms.PasswordInput)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="h&i")
    when = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    tick = forms.BooleanField(required=False)
    words = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), initial="<script>x</script>")
    pick = forms.ChoiceField(choices=[("", "—"), ("a", "A & B"), ("Group", [("c", "C"), ("d", "D")])])
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")])
    boxes = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple)
    radio = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)
    upload = forms.FileField(required=False)


def test_every_widget_is_written_as_django_writes_it():
    assert _same(Every()) == len(Every.base_fields)
    bound = Every({"text": "<i>", "email": "not an e-mail", "number": "0", "pick": "c", "many": ["x", "y"],
                   "boxes": ["y"], "radio": "x", "words": 'a "quoted" line', "tick": "on"})
    assert not bound.is_valid()
    _same(bound)


@pytest.mark.django_db
def test_every_form_of_the_product_is_written_as_django_writes_it(accounts):
    matter = matter_at("in_review", accounts)
    compared = 0
    for form in [NarrowingForm(states=None), NarrowingForm({"q": "x" * 500, "state": "nope"}, states=None),
                 NoteForm(), NoteForm({"kind": "call"}), DocumentForm(), ExtensionForm(), LetterLanguageForm(),
                 ProfileForm()]:
        form.is_bound and form.is_valid()
        compared += _same(form)
    for form_class in ACTION_FORMS.values():
        try:
            form = form_class(matter=matter)
        except Exception:  # noqa: BLE001 — a step that needs another state builds its form differently
            continue
        compared += _same(form)
        bound = form_class({"version": "x"}, matter=matter)
        bound.is_valid()
        compared += _same(bound)
    assert compared > 100
