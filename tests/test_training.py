"""Training: assignment by role, completion with an attestation, expiry, new versions, authoring, compliance."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from closedstacks.audit.models import AuditEntry
from closedstacks.library.models import Branch, LibraryProfile
from closedstacks.training import questions, services
from closedstacks.training.compliance import compliance
from closedstacks.training.models import Completion, Module, ModuleVersion
from closedstacks.training.questions import QuestionData
from closedstacks.training.status import Status, statuses_for
from tests.conftest import make_account

pytestmark = pytest.mark.django_db

STARTER = ["confidentiality-policy", "the-procedure", "law-enforcement", "reporting"]
EVERYONE_MODULES = {"confidentiality-policy", "reporting"}


# --- helpers, also used by the gate and reminder tests ------------------------------------------


def module(slug: str) -> Module:
    return Module.objects.get(slug=slug)


def right_answers(version: ModuleVersion) -> dict[int, int]:
    return {q.pk: q.choices.get(correct=True).pk for q in version.questions.all()}


def with_wrong(version: ModuleVersion, how_many: int) -> dict[int, int]:
    answers = right_answers(version)
    for question in list(version.questions.all())[:how_many]:
        answers[question.pk] = question.choices.filter(correct=False).first().pk
    return answers


def complete(user, slug: str, *, now: dt.datetime | None = None) -> Completion:
    found = module(slug)
    version = services.latest_version(found)
    outcome = services.take(user, found, version_number=version.number, answers=right_answers(version),
                            attested=True, now=now)
    assert outcome.passed
    return outcome.completion


def complete_assigned(user, *, now: dt.datetime | None = None) -> list[Completion]:
    return [complete(user, item.module.slug, now=now) for item in statuses_for(user)]


def audited(action: str) -> list[dict]:
    return [{"actor": e.actor_id, "object": (e.object_type, e.object_id), **json.loads(e.details)}
            for e in AuditEntry.objects.filter(action=action)]


def status_of(user) -> dict[str, str]:
    return {item.module.slug: item.status for item in statuses_for(user)}


def content(**overrides) -> services.Content:
    data = dict(body="## Be kind\n\nAlways.", pass_mark=80, attestation="I have read and will follow this.",
                questions=questions.parse("Are we kind?\n* Yes\n- No\n\nAlways?\n- No\n* Yes"))
    data.update(overrides)
    return services.Content(**data)


# --- assignment --------------------------------------------------------------------------------


def test_the_starter_modules_are_seeded_with_questions_and_a_pass_mark():
    assert list(Module.objects.values_list("slug", flat=True)) == STARTER
    for found in Module.objects.all():
        version = services.latest_version(found)
        assert version.number == 1 and version.pass_mark == 80
        assert version.attestation.startswith("I have read and will follow")
        assert 3 <= version.questions.count() <= 5
        for question in version.questions.all():
            assert question.choices.filter(correct=True).count() == 1
            assert question.choices.count() >= 3


def test_each_person_must_take_the_modules_assigned_to_their_roles(accounts):
    desk_modules = set(STARTER)
    for role in ("staff", "officer", "director", "counsel", "custodian"):
        assert set(status_of(accounts[role])) == desk_modules, role
    for role in ("auditor", "admin"):
        assert set(status_of(accounts[role])) == EVERYONE_MODULES, role
    both = make_account("both", "auditor", "custodian")
    assert set(status_of(both)) == desk_modules
    # Never completed: overdue, with no expiry.
    assert all(item.status == Status.OVERDUE and item.never_completed for item in statuses_for(accounts["staff"]))


def test_an_inactive_module_or_one_not_for_your_role_is_not_assigned(accounts):
    services.change_module(module("reporting"), by=accounts["officer"], title="Reporting", roles=["officer"],
                           position=4, active=True)
    services.change_module(module("law-enforcement"), by=accounts["officer"], title="Law enforcement",
                           roles=["staff", "officer"], position=3, active=False)
    assert set(status_of(accounts["staff"])) == {"confidentiality-policy", "the-procedure"}
    assert set(status_of(accounts["officer"])) == {"confidentiality-policy", "the-procedure", "reporting"}
    assert set(status_of(accounts["admin"])) == {"confidentiality-policy"}
    changed = audited("training.module_changed")
    assert changed[0]["fields"] == ["roles", "title"] and changed[1]["fields"] == ["active", "roles", "title"]


# --- completion --------------------------------------------------------------------------------


def test_passing_with_the_attestation_completes_the_module_for_a_year(accounts):
    staff = accounts["staff"]
    now = timezone.now()
    completion = complete(staff, "confidentiality-policy", now=now)
    assert completion.score == 100 and completion.attested and completion.version.number == 1
    assert completion.expires_at == now + dt.timedelta(days=365)
    assert status_of(staff)["confidentiality-policy"] == Status.CURRENT
    assert status_of(staff)["reporting"] == Status.OVERDUE
    entry = audited("training.completed")[0]
    assert entry["actor"] == staff.pk and entry["object"] == ("training_completion", str(completion.pk))
    assert entry["score"] == 100 and entry["version"] == 1
    assert "Staff" not in json.dumps(entry)  # people are referred to by id only


def test_the_validity_is_the_librarys_setting(accounts):
    profile = LibraryProfile.current()
    profile.training_valid_days = 90
    profile.save()
    now = timezone.now()
    assert complete(accounts["staff"], "reporting", now=now).expires_at == now + dt.timedelta(days=90)


def test_a_score_below_the_pass_mark_completes_nothing_and_says_which_questions_were_wrong(accounts):
    staff = accounts["staff"]
    found = module("the-procedure")  # five questions: one wrong is 80%, which passes; two is 60%
    version = services.latest_version(found)
    outcome = services.take(staff, found, version_number=1, answers=with_wrong(version, 2), attested=True)
    assert not outcome.passed and outcome.score == 60 and outcome.pass_mark == 80
    assert outcome.wrong == [q.pk for q in version.questions.all()[:2]]
    assert not Completion.objects.exists()
    assert audited("training.attempt_failed") == [{"actor": staff.pk, "object": ("training_version", str(version.pk)),
                                                   "module": found.pk, "version": 1, "score": 60, "pass_mark": 80}]
    # Unanswered questions are wrong too; exactly the pass mark passes.
    answers = right_answers(version)
    answers.pop(next(iter(answers)))
    assert services.take(staff, found, version_number=1, answers=answers, attested=True).score == 80
    assert Completion.objects.get().score == 80


def test_without_the_attestation_nothing_is_completed(accounts):
    found = module("reporting")
    version = services.latest_version(found)
    with pytest.raises(services.TrainingError, match="Tick the attestation"):
        services.take(accounts["staff"], found, version_number=1, answers=right_answers(version), attested=False)
    assert not Completion.objects.exists()
    assert not audited("training.attempt_failed")


def _answers_post(version, answers: dict, **extra) -> dict:
    return {"version": version.number, **{f"q{q}": c for q, c in answers.items()}, **extra}


def test_taking_a_module_on_its_page(accounts, client_for):
    staff = client_for("staff")
    found = module("reporting")
    version = services.latest_version(found)
    page = staff.get(f"/training/{found.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h2>What to report</h2>" in html  # the Markdown is rendered
    assert escape(version.attestation) in html

    # Two wrong of four: 50%. The wrong questions are marked; no right answer is revealed.
    wrong = with_wrong(version, 2)
    failed = staff.post(f"/training/{found.pk}/", _answers_post(version, wrong, attest="on"))
    assert failed.status_code == 200
    text = failed.content.decode()
    assert "You scored 50%; 80% is needed to pass." in text
    assert text.count("This answer is not right.") == 2
    assert "correct" not in text.lower()
    assert not Completion.objects.exists()

    # The attestation unticked: asked for, answers kept, nothing graded.
    right = right_answers(version)
    unticked = staff.post(f"/training/{found.pk}/", _answers_post(version, right))
    assert unticked.status_code == 400
    assert "Tick this to complete the module." in unticked.content.decode()
    for choice in right.values():
        assert re.search(rf'value="{choice}"[^>]*checked', unticked.content.decode())
    assert len(audited("training.attempt_failed")) == 1

    passed = staff.post(f"/training/{found.pk}/", _answers_post(version, right, attest="on"), follow=True)
    assert "You completed" in passed.content.decode() and "with 100%" in passed.content.decode()
    assert passed.redirect_chain[-1][0] == "/training/"
    assert status_of(accounts["staff"])["reporting"] == Status.CURRENT


def test_my_training_lists_each_assigned_module_with_its_status(accounts, client_for):
    complete(accounts["admin"], "reporting")
    html = client_for("admin").get("/training/").content.decode()
    rows = re.findall(r'<tr data-module="([a-z-]+)">.*?<span class="status (\w+)">', html, re.S)
    assert rows == [("confidentiality-policy", "bad"), ("reporting", "ok")]
    assert "Take it again" in html and "Your completions" in html


# --- expiry ------------------------------------------------------------------------------------


def test_training_is_current_then_due_then_overdue(accounts):
    staff = accounts["staff"]
    now = timezone.now()
    complete(staff, "confidentiality-policy", now=now - dt.timedelta(days=10))  # 355 days left
    complete(staff, "the-procedure", now=now - dt.timedelta(days=340))  # 25 days left: within 30
    complete(staff, "law-enforcement", now=now - dt.timedelta(days=366))  # lapsed yesterday
    assert status_of(staff) == {"confidentiality-policy": "current", "the-procedure": "due",
                                "law-enforcement": "overdue", "reporting": "overdue"}
    # "Due" follows the longest reminder lead time.
    profile = LibraryProfile.current()
    profile.training_reminder_days = "14,3"
    profile.save()
    assert status_of(staff)["the-procedure"] == "current"
    # Completing again renews from now; the newest expiry counts, and history is kept.
    complete(staff, "law-enforcement")
    assert status_of(staff)["law-enforcement"] == "current"
    assert Completion.objects.filter(user=staff, version__module__slug="law-enforcement").count() == 2


# --- new versions ------------------------------------------------------------------------------


def test_a_new_version_keeps_earlier_completions_valid_until_they_expire(accounts):
    staff, officer = accounts["staff"], accounts["officer"]
    found = module("reporting")
    complete(staff, "reporting")
    version = services.new_version(found, content(), by=officer)
    assert version.number == 2 and version.questions.count() == 2
    assert status_of(staff)["reporting"] == Status.CURRENT  # version 1's completion still counts
    assert status_of(accounts["director"])["reporting"] == Status.OVERDUE

    # Someone who read version 1 and answers now is told it changed; nothing is recorded.
    with pytest.raises(services.TrainingError, match="new version"):
        services.take(accounts["director"], found, version_number=1, answers={}, attested=True)
    completion = complete(accounts["director"], "reporting")
    assert completion.version == version
    # Version 1 is unchanged.
    first = found.versions.get(number=1)
    assert first.questions.count() == 4 and "What to report" in first.body
    assert audited("training.version_created")[-1]["number"] == 2


def test_content_rules_are_checked_by_the_service(accounts):
    officer = accounts["officer"]
    found = module("reporting")
    bad = [
        (content(body="  "), "Write the text"),
        (content(pass_mark=0), "between 1 and 100"),
        (content(attestation=""), "attestation"),
        (content(questions=[]), "at least one question"),
        (content(questions=[QuestionData("Which?", (("A", True), ("B", True)))]), "exactly one correct"),
    ]
    for wrong, message in bad:
        with pytest.raises(services.TrainingError, match=message):
            services.new_version(found, wrong, by=officer)
    with pytest.raises(services.TrainingError, match="at least one role"):
        services.create_module(title="Empty", roles=[], content=content(), by=officer)
    with pytest.raises(services.TrainingError, match="no role called"):
        services.create_module(title="Bad", roles=["librarian"], content=content(), by=officer)
    assert found.versions.count() == 1 and Module.objects.count() == 4


# --- the question format ------------------------------------------------------------------------


def test_questions_are_read_from_plain_text_and_written_back():
    text = ("Who explains the policy?\n- The desk\n* The officer\n\n\n"
            "What is produced?\n* Exactly what is designated\n- All")
    parsed = questions.parse(text)
    assert parsed == [QuestionData("Who explains the policy?", (("The desk", False), ("The officer", True))),
                      QuestionData("What is produced?", (("Exactly what is designated", True), ("All", False)))]
    version = services.latest_version(module("law-enforcement"))
    again = questions.parse(questions.as_text(version.questions.all()))
    assert [q.text for q in again] == [q.text for q in version.questions.all()]
    assert [len(q.choices) for q in again] == [q.choices.count() for q in version.questions.all()]


@pytest.mark.parametrize("text, message", [
    ("", "Write at least one question."),
    ("Which?\n- A\n- B", "Question 1 must have exactly one correct choice, marked with *; it has 0."),
    ("Which?\n* A\n* B", "it has 2"),
    ("Which?\n* A", "Question 1 needs at least two choices."),
    ("Which?\n* A\n- B\n\n- C\n* D", "Question 2 (line 5) starts with a choice"),
    ("Which?\n* A\n- B\nWhat else?\n* C\n- D", "Question 1, line 4: start each choice with - (wrong) or * (correct)"),
    ("Which?\n* A\n-", "Question 1 has an empty choice."),
])
def test_badly_written_questions_are_refused_with_a_clear_message(text, message):
    with pytest.raises(questions.QuestionFormatError) as refused:
        questions.parse(text)
    assert message in str(refused.value)


# --- authoring pages ---------------------------------------------------------------------------


def test_the_officer_writes_a_module_and_a_bad_question_loses_nothing(accounts, client_for):
    officer = client_for("officer")
    assert officer.get("/training/modules/new/").status_code == 200
    body = "## Phones at the desk\n\nNever confirm by phone that someone is a user."
    bad_questions = "A caller asks if Jo has a card.\n- Confirm it\n* Say you cannot discuss it\nWhat next?\n- Nothing"
    form = {"module-title": "Telephone requests", "module-roles": ["staff", "officer"], "module-position": "5",
            "module-active": "on", "version-body": body, "version-pass_mark": "80",
            "version-attestation": "I have read and will follow this.", "version-questions": bad_questions}
    refused = officer.post("/training/modules/new/", form)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Question 1, line 4: start each choice with - (wrong) or * (correct)" in html
    for kept in ("Phones at the desk", "Never confirm by phone", "Telephone requests", "What next?",
                 "I have read and will follow this."):
        assert kept in html
    assert re.search(r'value="staff"[^>]*checked', html) and re.search(r'value="officer"[^>]*checked', html)
    assert not Module.objects.filter(title="Telephone requests").exists()

    form["version-questions"] = bad_questions.replace("\nWhat next?", "\n\nWhat next?") + "\n* Refer"
    saved = officer.post("/training/modules/new/", form)
    assert saved.status_code == 302
    created = Module.objects.get(title="Telephone requests")
    assert created.roles == ["staff", "officer"] and created.slug == "telephone-requests"
    assert services.latest_version(created).questions.count() == 2
    assert "telephone-requests" in status_of(accounts["staff"])
    assert "telephone-requests" not in status_of(accounts["admin"])
    assert audited("training.module_created")[0]["object"] == ("training_module", str(created.pk))


def test_a_new_version_starts_from_the_current_one_and_a_bad_form_loses_nothing(accounts, client_for):
    officer = client_for("officer")
    found = module("reporting")
    current = services.latest_version(found)
    page = officer.get(f"/training/modules/{found.pk}/new-version/").content.decode()
    assert "This starts from version 1." in page
    first_question = current.questions.first()
    assert first_question.text in page  # the questions, written out in the text format
    edited = {"version-body": current.body + "\n\nA new paragraph.", "version-pass_mark": "90",
              "version-attestation": current.attestation, "version-questions": "Only a question, no choices"}
    refused = officer.post(f"/training/modules/{found.pk}/new-version/", edited)
    assert refused.status_code == 400
    assert "needs at least two choices" in refused.content.decode()
    assert "A new paragraph." in refused.content.decode() and "Only a question, no choices" in refused.content.decode()
    assert found.versions.count() == 1
    edited["version-questions"] = questions.as_text(current.questions.all())
    assert officer.post(f"/training/modules/{found.pk}/new-version/", edited).status_code == 302
    latest = services.latest_version(found)
    assert latest.number == 2 and latest.pass_mark == 90 and latest.body.endswith("A new paragraph.")
    assert latest.questions.count() == current.questions.count()


def test_the_officer_changes_a_modules_roles_and_deactivates_it(accounts, client_for):
    officer = client_for("officer")
    found = module("law-enforcement")
    response = officer.post(f"/training/modules/{found.pk}/", {
        "module-title": found.title, "module-roles": ["officer", "director", "counsel", "custodian"],
        "module-position": "3", "module-active": "on"})
    assert response.status_code == 302
    assert "law-enforcement" not in status_of(accounts["staff"])
    officer.post(f"/training/modules/{found.pk}/", {"module-title": found.title, "module-roles": ["officer"],
                                                     "module-position": "3"})
    assert "law-enforcement" not in status_of(accounts["officer"])
    # Staff cannot open an inactive module; the officer still can.
    assert client_for("staff").get(f"/training/{found.pk}/").status_code == 404
    assert officer.get(f"/training/{found.pk}/").status_code == 200
    no_roles = officer.post(f"/training/modules/{found.pk}/", {"module-title": "X", "module-position": "3"})
    assert no_roles.status_code == 400 and module("law-enforcement").title == found.title


def test_only_the_officer_writes_modules(client_for):
    for role in ("staff", "director", "counsel", "admin", "auditor"):
        assert client_for(role).get("/training/modules/").status_code == 403, role
        assert client_for(role).post("/training/modules/new/", {}).status_code == 403, role
    assert client_for("officer").get("/training/modules/").status_code == 200


# --- compliance --------------------------------------------------------------------------------


@pytest.fixture
def library_in_training(accounts):
    """North: staff (current) and the officer (overdue); South: counsel (due); the rest have no branch."""
    north, south = Branch.objects.create(name="North"), Branch.objects.create(name="South")
    for role, branch in (("staff", north), ("officer", north), ("counsel", south)):
        accounts[role].branch = branch
        accounts[role].save()
    complete_assigned(accounts["staff"])
    complete_assigned(accounts["counsel"], now=timezone.now() - dt.timedelta(days=350))
    complete(accounts["officer"], "reporting")  # three more to go
    return accounts


def test_compliance_counts_people_per_role_and_per_branch(library_in_training):
    found = compliance()
    counts = {g.label: (g.counts["current"], g.counts["due"], g.counts["overdue"]) for g in
              [found.total, *found.by_role, *found.by_branch]}
    assert counts == {
        "Everyone": (1, 1, 6),  # the eight accounts, each once
        "Staff": (1, 0, 0), "Responsible officer": (0, 0, 1), "Director": (0, 0, 1), "Counsel": (0, 1, 0),
        "Records custodian": (0, 0, 1), "Auditor": (0, 0, 1), "Administrator": (0, 0, 2),
        "North": (1, 0, 1), "South": (0, 1, 0), "No branch": (0, 0, 5),
    }
    assert [g.label for g in found.by_branch] == ["North", "South", "No branch"]
    north = found.by_branch[0]
    assert (north.percent("current"), north.percent("due"), north.percent("overdue")) == (50, 0, 50)
    assert [p.user.username for p in found.people] == ["admin", "admin2", "auditor", "custodian", "director",
                                                       "officer", "counsel"]
    officer = next(p for p in found.people if p.user.username == "officer")
    assert {item.module.slug for item in officer.modules} == {"confidentiality-policy", "the-procedure",
                                                              "law-enforcement"}


def test_the_compliance_page_shows_the_table_the_chart_and_who_is_behind(library_in_training, client_for):
    response = client_for("director").get("/training/compliance/")
    assert response.status_code == 200
    html = response.content.decode()
    north = re.search(r'<th scope="row">North</th><td class="num">2</td>(.*?)</tr>', html).group(1)
    assert re.findall(r'data-status="(\w+)">(\d+ \(\d+%\))', north) == [
        ("current", "1 (50%)"), ("due", "0 (0%)"), ("overdue", "1 (50%)")]
    assert re.search(r'<th scope="row">Counsel</th><td class="num">1</td><td class="num" data-status="current">'
                     r'0 \(0%\)</td><td class="num" data-status="due">1 \(100%\)', html)
    # The chart: drawn server-side as SVG, with no inline style.
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert svg.count("<rect") >= 11 + 3  # at least one segment per group, and the legend
    assert "style=" not in html and "<script>" not in html
    assert 'width="420"' in svg  # "No branch": everyone overdue, the full bar
    people = re.search(r'<table id="people">.*?</table>', html, re.S).group(0)
    assert "Counsel" in people and "Officer" in people and ">Staff<" not in people


def test_the_compliance_csv(library_in_training, client_for):
    response = client_for("officer").get("/training/compliance.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "group,name,people,current,due,overdue,current %,due %,overdue %"
    assert "branch,North,2,1,0,1,50,0,50" in lines and "all,Everyone,8,1,1,6,12,12,75" in lines
    assert audited("training.compliance_downloaded")[0]["actor"] == library_in_training["officer"].pk


def test_only_the_officer_and_the_director_see_compliance(client_for):
    for role in ("staff", "admin", "auditor", "counsel", "custodian"):
        assert client_for(role).get("/training/compliance/").status_code == 403, role
        assert client_for(role).get("/training/compliance.csv").status_code == 403, role
    for role in ("officer", "director"):
        assert client_for(role).get("/training/compliance/").status_code == 200, role


# --- home and navigation -----------------------------------------------------------------------


def test_the_home_page_shows_training_due_and_the_compliance_summary(accounts, client_for):
    home = client_for("staff").get("/").content.decode()
    assert "Your training" in home and "Training compliance" not in home
    complete_assigned(accounts["staff"])
    home = client_for("staff").get("/").content.decode()
    assert "Your training" not in home
    assert 'href="/training/"' in home  # the navigation link
    director = client_for("director").get("/").content.decode()
    assert "Training compliance" in director and 'href="/training/compliance/"' in director
