"""Step 2: the director assigns counsel; counsel works through the checklist and determines."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from closedstacks.access.roles import Role
from closedstacks.library.models import ChecklistItem
from closedstacks.matters import deadlines
from closedstacks.matters.errors import Result, require
from closedstacks.matters.models import Defect, Matter, Review, ReviewAnswer
from closedstacks.matters.states import Determination, Outcome, State
from closedstacks.matters.steps.common import assigned, directors, name_on, officers
from closedstacks.matters.wording import said, words

ANSWERS = {"yes", "no", "na"}


def assign_counsel(matter: Matter, by, *, counsel) -> Result:
    require(counsel is not None and counsel.is_active and Role.COUNSEL in counsel.roles,
            _("Choose an active person who holds the counsel role."))
    require(counsel.pk != (matter.custodian_id or 0), _("The records custodian cannot also be counsel here."))
    matter.counsel = counsel
    name_on(matter, counsel)
    return Result(to=State.IN_REVIEW if matter.state == State.RECEIVED else None,
                  summary=said(gettext_noop("Counsel assigned: %(name)s."), name=counsel.display_name),
                  details={"counsel": counsel.pk}, notices=[([counsel], "review_requested")])


def checklist_for(matter: Matter) -> list[ChecklistItem]:
    instrument = matter.current_instrument()
    if instrument is None:
        return []
    return list(ChecklistItem.objects.filter(instrument_type=instrument.type, active=True))


def save_review(matter: Matter, by, *, answers: dict, determination: str, reasons: str,
                 after_the_fact: bool = False) -> Review:
    items = checklist_for(matter)
    answered = {int(k): v for k, v in (answers or {}).items()}
    missing = [item for item in items if answered.get(item.pk, ("",))[0] not in ANSWERS]
    require(not missing, _("Answer every item on the checklist: %(done)d of %(all)d are answered.")
            % {"done": len(items) - len(missing), "all": len(items)})
    require(bool(reasons.strip()), _("Give the reasons for the determination."))
    review = Review.objects.create(instrument=matter.current_instrument(), counsel=by, determination=determination,
                                   reasons=reasons.strip(), after_the_fact=after_the_fact)
    ReviewAnswer.objects.bulk_create([
        ReviewAnswer(review=review, item_text=item.text, answer=answered[item.pk][0],
                     note=(answered[item.pk][1] or "")[:500]) for item in items])
    return review


def determine(matter: Matter, by, *, answers: dict, determination: str, reasons: str, defects=(),
              cure_deadline=None) -> Result:
    require(determination in Determination.values, _("Choose a determination."))
    defects = [text.strip() for text in defects if text and text.strip()]
    if determination == Determination.DEFECTIVE:
        require(bool(defects), _("List the defects that must be cured."))
        require(cure_deadline is not None and cure_deadline > timezone.localdate(),
                _("Set a response deadline for the cure, after today."))
    review = save_review(matter, by, answers=answers, determination=determination, reasons=reasons)
    Defect.objects.bulk_create([Defect(review=review, text=text[:500]) for text in defects])
    target = {Determination.SUFFICIENT: State.SUFFICIENT, Determination.DEFECTIVE: State.DEFECTIVE,
              Determination.CHALLENGE: State.CHALLENGED}[determination]
    if determination == Determination.DEFECTIVE:
        review.cure_deadline = cure_deadline
        review.save(update_fields=["cure_deadline"])
        deadlines.set_cure(matter, cure_deadline)
    return Result(to=target, summary=words(Determination(determination).label),
                  details={"review": review.pk, "determination": determination, "defects": len(defects)},
                  notices=[(directors(matter) + officers(matter), "determination_recorded")])


def challenge_outcome(matter: Matter, by, *, outcome: str, notes: str = "") -> Result:
    require(outcome in {"quashed", "withdrawn", "upheld"}, _("Choose how the challenge ended."))
    if outcome == "upheld":
        # The court upheld the instrument: record that as a sufficient review so the road goes on.
        review = Review.objects.create(
            instrument=matter.current_instrument(), counsel=by, determination=Determination.SUFFICIENT,
            reasons=_("The challenge failed: the instrument was upheld. %(notes)s") % {"notes": notes.strip()})
        return Result(to=State.SUFFICIENT, summary=said(gettext_noop("Challenge failed: the instrument stands.")),
                      details={"outcome": outcome, "review": review.pk},
                      notices=[(directors(matter), "determination_recorded")])
    matter.outcome = Outcome(outcome)
    target = State.QUASHED if outcome == Outcome.QUASHED else State.WITHDRAWN
    return Result(to=target, summary=said(gettext_noop("Challenge ended: %(outcome)s."),
                                          outcome=Outcome(outcome).label),
                  details={"outcome": outcome}, notices=[(directors(matter) + officers(matter), "matter_closed")])


def name_person(matter: Matter, by, *, person) -> Result:
    require(person is not None and person.is_active and "matter:read" in person.scopes,
            _("Choose an active colleague whose role works on matters."))
    name_on(matter, person)
    return Result(summary=said(gettext_noop("%(name)s named on the matter."), name=person.display_name),
                  details={"named": person.pk}, notices=[(assigned(person), "named_on_matter")])
