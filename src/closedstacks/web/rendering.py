"""Django's form renderer, with the widgets every page uses drawn in Python.

Django draws each widget from a template, and each option of a select from a template of its own; on the matters
list the search and filter form alone took 11 ms of a 58 ms page. This renderer writes the same HTML — character
for character, which ``tests/test_form_rendering.py`` checks against Django's own templates — for labels, inputs,
selects and text areas, and leaves every other template (labels, errors, help, anything a project overrides) to Django.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"


# Django strips what a widget's template writes, but not what the templates it includes write (an option).


def _attrs(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: False leaves an attribute out, True writes its name alone.
    return "".join(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
                   for name, value in (attrs or {}).items() if value is not False)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    return f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"' \
           f'{value}{_attrs(widget["attrs"])}>'


def _option(option: dict) -> str:
    return f'<option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>' \
           f'{conditional_escape(option["label"])}</option>'


def _select(widget: dict) -> str:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option.get("template_name") != WIDGETS + "select_option.html":
                return ""  # an option drawn some other way: Django draws the whole select
            out.append("\n  " + _option(option) + "\n")  # an included template keeps its last line's end
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context: dict) -> str:
    # As django/forms/label.html.
    label = conditional_escape(context["label"])
    if not context.get("use_tag"):
        return label
    return f'<{context["tag"]}{_attrs(context["attrs"])}>{label}</{context["tag"]}>'


DRAWN = {WIDGETS + "select.html": _select, WIDGETS + "textarea.html": _textarea,
         **{f"{WIDGETS}{kind}.html": _input for kind in (
             "input", "text", "email", "number", "password", "hidden", "url", "search", "tel", "date", "datetime",
             "time", "checkbox")}}


class Renderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        html = ""
        if template_name == "django/forms/label.html" and "label" in context and "attrs" in context:
            html = _label(context)
        elif (draw := DRAWN.get(template_name)) is not None and "widget" in context:
            html = draw(context["widget"])
        if html:
            return mark_safe(html)
        return super().render(template_name, context, request)
