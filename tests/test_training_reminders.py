"""Reminders before training lapses, and once when overdue: by real SMTP, each sent once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from closedstacks.accounts.models import User
from closedstacks.notices.models import Notice
from closedstacks.training.models import ReminderSent
from closedstacks.training.reminders import send_due_reminders
from tests.conftest import cli_env, closedstacks, python_in, run_jobs
from tests.test_training import audited, complete, complete_assigned

pytestmark = pytest.mark.django_db


def unfolded(header: str) -> str:
    return re.sub(r"\r?\n", "", header)


@pytest.fixture
def only_staff(accounts):
    """Everyone but staff has left (inactive people are not reminded), so only staff's reminders are due."""
    User.objects.exclude(pk=accounts["staff"].pk).update(is_active=False)


def test_reminders_go_once_at_each_lead_time_then_once_when_overdue(accounts, only_staff, smtp):
    staff = accounts["staff"]
    completions = complete_assigned(staff)
    expiry = timezone.localdate(completions[0].expires_at)

    assert send_due_reminders(expiry - dt.timedelta(days=40)) == 0  # not yet
    assert send_due_reminders(expiry - dt.timedelta(days=20)) == 4  # the 30-day reminder, four modules
    assert send_due_reminders(expiry - dt.timedelta(days=20)) == 0  # not twice
    assert send_due_reminders(expiry - dt.timedelta(days=19)) == 0  # nor the next day
    assert send_due_reminders(expiry - dt.timedelta(days=5)) == 4  # the 7-day reminder
    assert send_due_reminders(expiry + dt.timedelta(days=1)) == 4  # overdue
    assert send_due_reminders(expiry + dt.timedelta(days=9)) == 0  # overdue is said once
    assert set(ReminderSent.objects.filter(user=staff).values_list("lead_days", flat=True)) == {30, 7, -1}
    assert not ReminderSent.objects.exclude(user=staff).exists()

    assert run_jobs() == 3  # one e-mail per person per run
    assert [rcpts for rcpts, _m in smtp] == [["staff@example.org"]] * 3
    subjects = [message["Subject"] for _r, message in smtp]
    assert subjects == ["Training due: 4 modules", "Training due: 4 modules", "Training overdue: 4 modules"]
    first, second, overdue = (message.get_payload() for _r, message in smtp)
    assert "Reporting threats, unauthorized demands and privacy problems: current until" in first
    assert "(20 days left)" in first and "(5 days left)" in second
    assert f"lapsed on {expiry.isoformat()}" in overdue and "/training/" in overdue
    assert [entry["count"] for entry in audited("training.reminders_sent")] == [4, 4, 4]


def test_one_module_by_name_and_someone_who_never_completed_it(accounts, only_staff, smtp):
    staff = accounts["staff"]
    today = timezone.localdate()
    for slug in ("confidentiality-policy", "the-procedure", "law-enforcement"):
        complete(staff, slug)
    assert send_due_reminders(today) == 1  # "reporting": never completed, so overdue
    assert send_due_reminders(today + dt.timedelta(days=3)) == 0
    run_jobs()
    [(_rcpts, message)] = smtp
    assert unfolded(message["Subject"]) == ("Training overdue: Reporting threats, unauthorized demands and "
                                            "privacy problems")
    assert "not completed yet" in message.get_payload()
    assert Notice.objects.get(recipient=staff).url == "/training/"


def test_completing_again_starts_a_new_round_of_reminders(accounts, only_staff):
    staff = accounts["staff"]
    first = complete(staff, "reporting", now=timezone.now() - dt.timedelta(days=360))
    for slug in ("confidentiality-policy", "the-procedure", "law-enforcement"):
        complete(staff, slug)
    today = timezone.localdate()
    assert send_due_reminders(today) == 1  # 7-day reminder for "reporting"
    complete(staff, "reporting")  # renewed for a year
    assert send_due_reminders(today) == 0
    renewed = timezone.localdate(staff.training_completions.latest("completed_at").expires_at)
    assert send_due_reminders(renewed - dt.timedelta(days=6)) == 4  # all four expire within 7 days of each other
    assert ReminderSent.objects.filter(expires_at=first.expires_at).count() == 1


def test_inactive_people_get_no_reminders(accounts):
    # Nobody completed anything: five people with four modules each, and three (auditor, admins) with two.
    assert send_due_reminders(timezone.localdate()) == 5 * 4 + 3 * 2
    User.objects.update(is_active=False)
    complete_assigned(accounts["staff"], now=timezone.now() - dt.timedelta(days=400))
    assert send_due_reminders(timezone.localdate()) == 0


def test_the_training_reminder_command(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    python_in("from tests.conftest import make_account\n"
              "from tests.test_training import complete_assigned\n"
              "import datetime as dt\n"
              "from django.utils import timezone\n"
              "staff = make_account('staff', 'staff')\n"
              "complete_assigned(staff, now=timezone.make_aware(dt.datetime(2029, 1, 20, 12)))\n", env=env)
    # Completed 2029-01-20, so current until 2030-01-20: the 30-day reminder is due on 2030-01-01.
    first = closedstacks("training", "remind", "--date", "2030-01-01", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("4 training reminder(s) queued")
    again = closedstacks("training", "remind", "--date", "2030-01-01", env=env)
    assert again.stdout.startswith("0 training reminder(s) queued")
    bad = closedstacks("training", "remind", "--date", "tomorrow", env=env)
    assert bad.returncode == 2 and "tomorrow" in bad.stderr
