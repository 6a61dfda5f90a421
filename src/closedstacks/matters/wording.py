"""A timeline line stored as what happened — its message and values — and said in the reader's language.

A step says what it did with ``said(gettext_noop("Counsel assigned: %(name)s."), name=...)`` (gettext_noop by
that name, so that makemessages finds the message for the catalogue): the message is stored
untranslated beside its values, and each reader sees it in their own language. A value that is itself words
of the product (a kind of instrument, an outcome) is stored as its message and translated at reading; a date is
stored as a date and written the reader's way. Names, numbers and what people typed stay as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext, override


@dataclass(frozen=True)
class Said:
    message: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.message, self.params)


def said(message: str, **params) -> Said:
    return Said(message, {name: _stored(value) for name, value in params.items()})


def words(label) -> Said:
    """A line that is one of the product's own labels (an outcome, a determination), said in each reader's
    language."""
    stored = _stored(label)
    return Said(stored["words"]) if isinstance(stored, dict) else Said(str(label))


def _stored(value):
    if isinstance(value, Said):
        return {"said": value.message, "params": value.params}
    if isinstance(value, Promise):
        args = getattr(value, "_args", ())
        return {"words": args[0]} if args and isinstance(args[0], str) else str(value)
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _shown(value):
    if not isinstance(value, dict):
        return value
    if "words" in value:
        return gettext(value["words"])
    if "said" in value:
        return render(value["said"], value.get("params") or {})
    if "datetime" in value:
        parsed = parse_datetime(value["datetime"])
        if parsed is None:
            return value["datetime"]
        return formats.date_format(timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed,
                                   "DATETIME_FORMAT")
    if "date" in value:
        parsed = parse_date(value["date"])
        return formats.date_format(parsed, "DATE_FORMAT") if parsed else value["date"]
    return str(value)


def render(message: str, params: dict) -> str:
    """The message in the active language, with its values."""
    text = gettext(message)
    if not params:
        return text
    values = {name: _shown(value) for name, value in params.items()}
    try:
        return text % values
    except (KeyError, TypeError, ValueError):  # a translation that lost a value: say it in the original words
        return message % values


def english(summary) -> str:
    """The line in the product's own language, for what is stored as plain text beside it."""
    with override("en"):
        return str(summary)


def parts(summary) -> tuple[str, dict]:
    """(message, values) to store for a step's summary; a plain string has no message of its own."""
    if isinstance(summary, Said):
        return summary.message, summary.params
    return "", {}
