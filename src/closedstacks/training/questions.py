"""Questions written as plain text, and back.

One question per block, blocks separated by a blank line. The first line is
the question; each following line is a choice, starting with ``-`` for a
wrong one or ``*`` for the one correct answer::

    A police officer at the desk asks who borrowed a book. What do you do?
    - Tell them, if they show a badge
    * Refer them at once to the responsible officer
    - Ask them to come back tomorrow
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

MARKS = {"-": False, "*": True}


class QuestionFormatError(ValueError):
    """The text does not follow the format; the message names the question and line."""


@dataclass(frozen=True)
class QuestionData:
    text: str
    choices: tuple[tuple[str, bool], ...]  # (text, correct)


def problems(question: QuestionData, number: int) -> list[str]:
    """What is wrong with one question (empty when it is fine)."""
    found = []
    if not question.text.strip():
        found.append(_("Question %(n)d has no text.") % {"n": number})
    if len(question.choices) < 2:
        found.append(_("Question %(n)d needs at least two choices.") % {"n": number})
    correct = sum(1 for _text, right in question.choices if right)
    if correct != 1:
        found.append(_("Question %(n)d must have exactly one correct choice, marked with *; it has %(c)d.")
                     % {"n": number, "c": correct})
    if any(not text.strip() for text, _right in question.choices):
        found.append(_("Question %(n)d has an empty choice.") % {"n": number})
    return found


def parse(text: str) -> list[QuestionData]:
    """The questions in ``text``; QuestionFormatError listing every problem found."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = raw.strip()
        if line:
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    blocks = [block for block in blocks if block]
    if not blocks:
        raise QuestionFormatError(_("Write at least one question."))
    questions, errors = [], []
    for index, block in enumerate(blocks, start=1):
        (first_line, heading), rest = block[0], block[1:]
        if heading[0] in MARKS:
            errors.append(_("Question %(n)d (line %(line)d) starts with a choice: put the question on the first "
                            "line of the block, then the choices.") % {"n": index, "line": first_line})
            continue
        choices = []
        for line_number, line in rest:
            if line[0] not in MARKS:
                errors.append(_("Question %(n)d, line %(line)d: start each choice with - (wrong) or * (correct), "
                                "or leave a blank line before the next question.")
                              % {"n": index, "line": line_number})
                continue
            choices.append((line[1:].strip(), MARKS[line[0]]))
        question = QuestionData(heading, tuple(choices))
        errors.extend(problems(question, index))
        questions.append(question)
    if errors:
        raise QuestionFormatError("\n".join(errors))
    return questions


def as_text(questions) -> str:
    """Saved questions (with their choices) written back in the same format, to start the next version from."""
    blocks = []
    for question in questions:
        lines = [question.text]
        lines += [f"{'*' if choice.correct else '-'} {choice.text}" for choice in question.choices.all()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
