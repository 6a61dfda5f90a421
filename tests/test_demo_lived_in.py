"""The lived-in demo looks lived in: matters logged over months, each with its own return date and a timeline in
time order, several people at the desk and two counsel, notices partly read — and the audit trail's times
untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from closedstacks.access.roles import Role
from closedstacks.audit.models import AuditEntry
from closedstacks.demo.accounts import DEMO_ACCOUNTS
from closedstacks.matters.models import Instrument, Matter
from closedstacks.notices.models import Notice
from tests.test_procedure_table import demo  # noqa: F401 (the fixture: the demo, made as `closedstacks demo` does)

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(request, settings, tmp_path):
    """The demo, its productions' files in this test's own directory (not one an earlier demo wrote in)."""
    settings.DATA_DIR = tmp_path
    return request.getfixturevalue("demo")


def test_matters_are_logged_over_months_in_order_and_the_audit_trail_keeps_the_real_times(made):
    logged = sorted(Matter.objects.values_list("logged_at", flat=True))
    assert logged[-1] - logged[0] >= dt.timedelta(days=90)
    assert len({moment.date() for moment in logged}) >= len(logged) - 2  # on different days
    returns = [i.return_at for i in Instrument.objects.exclude(return_at=None)]
    assert len(returns) >= 8 and len(set(returns)) == len(returns)
    # The open matters are the recent ones: none still open from more than two months ago.
    assert not Matter.objects.open().filter(logged_at__lt=timezone.now() - dt.timedelta(days=60)).exists()
    # Each matter's timeline is in time order and fits its state.
    now = timezone.now()
    for matter in Matter.objects.all():
        events = list(matter.events.order_by("pk"))
        times = [event.at for event in events]
        assert times == sorted(times) and times[0] >= matter.logged_at - dt.timedelta(seconds=1), matter.reference
        assert times[-1] <= now and events[-1].to_state in ("", matter.state), matter.reference
        if matter.closed_at:
            assert matter.closed_at >= times[0], matter.reference
        for instrument in matter.instruments.all():
            assert instrument.received_at >= matter.logged_at, matter.reference
        for note in matter.notes.all():
            assert matter.logged_at <= note.happened_at <= now, matter.reference
    steps = [e.at for e in Matter.objects.get(state="closed", kind="inquiry").events.order_by("pk")]
    assert steps[-1] - steps[0] >= dt.timedelta(days=5)  # a released subpoena took days, not seconds
    # Only the matters' own times are moved: every audit entry was written during this test, in order.
    entries = list(AuditEntry.objects.order_by("pk").values_list("at", flat=True))
    assert entries == sorted(entries)
    assert entries[0] >= timezone.now() - dt.timedelta(minutes=30)


def test_several_people_at_the_desk_and_two_counsel_work_and_are_on_the_sign_in_page(made, client, settings):
    settings.DEMO = True
    desk = [a.username for a in DEMO_ACCOUNTS if a.role == Role.STAFF]
    counsel = [a.username for a in DEMO_ACCOUNTS if a.role == Role.COUNSEL]
    assert len(desk) >= 3 and len(counsel) >= 2
    page = client.get("/sign-in/").content.decode()
    for account in DEMO_ACCOUNTS:
        assert account.password in page
    # They work: matters logged by more than one desk account, assigned to both counsel.
    assert Matter.objects.filter(logged_by__username__in=desk).values("logged_by").distinct().count() >= 3
    assert Matter.objects.filter(counsel__username__in=counsel).values("counsel").distinct().count() == 2


def test_older_notices_are_read_and_recent_ones_wait(made):
    """Read some hours after they came, the older ones; the recent ones wait."""
    week_ago = timezone.now() - dt.timedelta(days=7)
    assert Notice.objects.filter(created_at__lt=week_ago).exists()
    assert not Notice.objects.filter(created_at__lt=week_ago, read_at=None).exists()
    assert Notice.objects.filter(read_at=None).exists()
    for notice in Notice.objects.exclude(read_at=None):
        assert notice.read_at >= notice.created_at
