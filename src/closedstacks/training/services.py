"""Writing and taking the training: every change validated and audited here.

The officer writes modules. A module's content (text, pass mark, attestation,
questions) is never edited in place: a change is the next version, and
completions of earlier versions stay valid until they expire (see
:mod:`closedstacks.training.status`). Taking a module is answering the
newest version's questions: a score below the pass mark completes nothing
(the attempt is audited and the person told which questions were wrong, not
the right answers); a pass with the attestation ticked is a completion that
expires ``LibraryProfile.training_valid_days`` later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from closedstacks.access.roles import Role
from closedstacks.audit.trail import record
from closedstacks.library.models import LibraryProfile
from closedstacks.training import gate
from closedstacks.training.models import Choice, Completion, Module, ModuleVersion, Question
from closedstacks.training.questions import QuestionData, problems


class TrainingError(Exception):
    """A change or an attempt that cannot be accepted; the message says why, for the person."""


@dataclass(frozen=True)
class Content:
    """What one version of a module says and asks."""

    body: str
    pass_mark: int
    attestation: str
    questions: list[QuestionData]


@dataclass
class Outcome:
    """The result of taking a module: a completion if passed, else which questions were wrong."""

    score: int
    pass_mark: int
    completion: Completion | None = None
    wrong: list[int] = field(default_factory=list)  # question ids

    @property
    def passed(self) -> bool:
        return self.completion is not None


def _check_roles(roles) -> list[str]:
    roles = [str(role) for role in roles]
    if not roles:
        raise TrainingError(_("Assign the module to at least one role (make it inactive to assign it to no one)."))
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise TrainingError(_("There is no role called %(role)s.") % {"role": unknown[0]})
    return [role for role in Role.values if role in roles]


def _check_content(content: Content) -> None:
    if not content.body.strip():
        raise TrainingError(_("Write the text of the module."))
    if not 1 <= content.pass_mark <= 100:
        raise TrainingError(_("The pass mark is a percentage between 1 and 100."))
    if not content.attestation.strip():
        raise TrainingError(_("Write the attestation people tick, such as “I have read and will follow …”."))
    if not content.questions:
        raise TrainingError(_("Write at least one question."))
    found = [problem for number, question in enumerate(content.questions, start=1)
             for problem in problems(question, number)]
    if found:
        raise TrainingError(" ".join(found))


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "module"
    slug, n = base, 1
    while Module.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _write_version(module: Module, content: Content, *, by) -> ModuleVersion:
    """The module's next version. Two people saving at once take turns on the module's row (FOR UPDATE on an
    aggregate locks nothing), so each gets the next number."""
    Module.objects.select_for_update().get(pk=module.pk)
    number = (ModuleVersion.objects.filter(module=module).aggregate(n=Max("number"))["n"] or 0) + 1
    version = ModuleVersion.objects.create(module=module, number=number, body=content.body,
                                           pass_mark=content.pass_mark, attestation=content.attestation.strip(),
                                           created_by=by)
    for position, data in enumerate(content.questions, start=1):
        question = Question.objects.create(version=version, position=position, text=data.text.strip())
        Choice.objects.bulk_create([Choice(question=question, position=n, text=text.strip(), correct=correct)
                                    for n, (text, correct) in enumerate(data.choices, start=1)])
    record("training.version_created", actor=by, obj=version,
           details={"module": module.pk, "number": number, "questions": len(content.questions),
                    "pass_mark": content.pass_mark})
    return version


def create_module(*, title: str, roles, content: Content, by, position: int = 0, active: bool = True) -> Module:
    """A new module with its first version."""
    title = title.strip()
    if not title:
        raise TrainingError(_("Give the module a title."))
    roles = _check_roles(roles)
    _check_content(content)
    with transaction.atomic():
        module = Module.objects.create(slug=_unique_slug(title), title=title, roles=roles, position=position,
                                       active=active)
        record("training.module_created", actor=by, obj=module,
               details={"roles": roles, "active": active})
        _write_version(module, content, by=by)
    return module


def change_module(module: Module, *, by, title: str, roles, position: int, active: bool) -> Module:
    """Change a module's title, roles, order or whether it is active (its content changes by new versions)."""
    title = title.strip()
    if not title:
        raise TrainingError(_("Give the module a title."))
    roles = _check_roles(roles)
    with transaction.atomic():
        locked = Module.objects.select_for_update().get(pk=module.pk)
        changed = sorted(name for name, value in (("title", title), ("roles", roles), ("position", position),
                                                  ("active", active)) if getattr(locked, name) != value)
        if not changed:
            return locked
        locked.title, locked.roles, locked.position, locked.active = title, roles, position, active
        locked.save()
        record("training.module_changed", actor=by, obj=locked,
               details={"fields": changed, "roles": roles, "active": active})
    return locked


def new_version(module: Module, content: Content, *, by) -> ModuleVersion:
    """The module's next version; completions of earlier versions stay valid until they expire."""
    _check_content(content)
    with transaction.atomic():
        return _write_version(module, content, by=by)


def latest_version(module: Module) -> ModuleVersion | None:
    return (ModuleVersion.objects.filter(module=module).order_by("-number")
            .prefetch_related("questions__choices").first())


def grade(version: ModuleVersion, answers: dict) -> tuple[int, list[int]]:
    """``answers`` maps question id → chosen choice id; the score (percent) and the ids of wrong questions."""
    questions = list(version.questions.all())
    wrong = []
    for question in questions:
        chosen = answers.get(question.pk)
        right = next((choice.pk for choice in question.choices.all() if choice.correct), None)
        if chosen is None or int(chosen) != right:
            wrong.append(question.pk)
    score = round(100 * (len(questions) - len(wrong)) / len(questions)) if questions else 0
    return score, wrong


def take(user, module: Module, *, version_number: int, answers: dict, attested: bool,
         now: dt.datetime | None = None) -> Outcome:
    """Answer the newest version of ``module``. ``version_number`` is the version the person read."""
    if not attested:
        raise TrainingError(_("Tick the attestation to complete the module."))
    now = now or timezone.now()
    with transaction.atomic():
        version = latest_version(module)
        if version is None or not module.active:
            raise TrainingError(_("This module is not open for taking."))
        if version.number != int(version_number):
            raise TrainingError(_("The officer published a new version of this module while you were taking it. "
                                  "Nothing was recorded: read the new version and answer its questions."))
        score, wrong = grade(version, answers)
        if score < version.pass_mark:
            record("training.attempt_failed", actor=user, obj=version,
                   details={"module": module.pk, "version": version.number, "score": score,
                            "pass_mark": version.pass_mark})
            return Outcome(score=score, pass_mark=version.pass_mark, wrong=wrong)
        days = LibraryProfile.current().training_valid_days
        completion = Completion.objects.create(user=user, version=version, completed_at=now,
                                               expires_at=now + dt.timedelta(days=days), score=score, attested=True)
        record("training.completed", actor=user, obj=completion,
               details={"module": module.pk, "version": version.number, "score": score,
                        "expires_at": completion.expires_at.isoformat()})
    gate.forget(user)
    return Outcome(score=score, pass_mark=version.pass_mark, completion=completion, wrong=wrong)
