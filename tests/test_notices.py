"""Notices: in the app and by real SMTP, naming matters by reference only; deadline reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from closedstacks.library.models import LibraryProfile
from closedstacks.matters.deadlines import send_due_reminders
from closedstacks.notices.models import Notice
from tests.conftest import cli_env, closedstacks, python_in, run_jobs
from tests.procedure import matter_at, new_matter, set_officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def officers(accounts):
    set_officer(accounts["officer"])
    profile = LibraryProfile.current()
    profile.alternate_officer = accounts["director"]
    profile.save()


def test_a_referral_reaches_the_officer_and_the_alternate_by_smtp(accounts, smtp):
    matter = new_matter(accounts)
    assert not smtp  # nothing leaves before the job worker runs, after the commit
    assert run_jobs() == 2
    recipients = sorted(address for rcpts, _message in smtp for address in rcpts)
    assert recipients == ["director@example.org", "officer@example.org"]
    for _rcpts, message in smtp:
        assert message["Subject"] == f"New inquiry {matter.reference} referred to you"
        body = message.get_payload()
        assert f"/matters/{matter.reference}/" in body
        for secret in ("Casey", "Smith", "chemistry", "Example Police"):
            assert secret not in body and secret not in message["Subject"]
    assert all(n.emailed_at for n in Notice.objects.all())


def test_a_failed_send_is_recorded_and_the_notice_kept(accounts, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    new_matter(accounts)
    with pytest.raises(OSError):
        run_jobs()
    notice = Notice.objects.filter(recipient=accounts["officer"]).get()
    assert notice.emailed_at is None and notice.email_problem.startswith("sending failed")


def test_reminders_go_once_at_each_lead_time_and_when_overdue(accounts, smtp):
    matter = matter_at("in_review", accounts)
    returns = matter.deadlines.get(kind="return")
    today = returns.due_on - dt.timedelta(days=5)
    assert send_due_reminders(today) >= 1  # 7-day reminder for the return date
    assert send_due_reminders(today) == 0  # not twice
    reminded = set(returns.reminders.values_list("lead_days", flat=True))
    assert reminded == {7}
    send_due_reminders(returns.due_on - dt.timedelta(days=1))
    send_due_reminders(returns.due_on + dt.timedelta(days=1))
    assert set(returns.reminders.values_list("lead_days", flat=True)) == {7, 1, -1}
    run_jobs()
    subjects = [message["Subject"] for _r, message in smtp]
    assert f"Matter {matter.reference}: Return or appearance date is overdue" in subjects
    assert any(s.startswith(f"Matter {matter.reference}: Return or appearance date in 5 days") for s in subjects)
    counsel_mail = [m for r, m in smtp if "counsel@example.org" in r]
    assert counsel_mail


def test_the_reminder_command(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    python_in("from tests.conftest import make_account\n"
              "from tests.procedure import matter_at, set_officer\n"
              "accounts = {r: make_account(r, r) for r in ['staff', 'officer', 'director', 'counsel']}\n"
              "set_officer(accounts['officer'])\n"
              "m = matter_at('in_review', accounts)\n"
              "m.deadlines.filter(kind='return').update(due_on=__import__('datetime').date(2030, 1, 10))\n",
              env=env)
    first = closedstacks("deadlines", "remind", "--date", "2030-01-09", env=env)
    assert first.returncode == 0 and int(first.stdout.split()[0]) >= 1 and "reminder(s) queued" in first.stdout
    again = closedstacks("deadlines", "remind", "--date", "2030-01-09", env=env)
    assert again.stdout.startswith("0 reminder(s) queued")
    bad = closedstacks("deadlines", "remind", "--date", "tomorrow", env=env)
    assert bad.returncode == 2 and "tomorrow" in bad.stderr


def test_the_inbox_lists_notices_and_marks_them_read(accounts, client_for):
    new_matter(accounts)
    officer = client_for("officer")
    page = officer.get("/notices/").content.decode()
    assert "referred to you" in page and "new" in page
    officer.post("/notices/read/")
    assert Notice.objects.filter(recipient=accounts["officer"], read_at__isnull=True).count() == 0
