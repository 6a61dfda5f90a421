"""Sending notices: :func:`notify` inside the transaction of the change; e-mail goes after commit.

The notice rows and the e-mail jobs are written in the caller's transaction,
so a change, its audit entry and its notices commit together or not at all.
The job worker sends the e-mail (see :mod:`closedstacks.notices.tasks`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from closedstacks.access import sealed
from closedstacks.notices.models import Notice


def notify(recipients, *, template: str, context: dict, url: str = "", matter=None) -> list[Notice]:
    """Notify each active recipient once. ``template`` names notices/<template>.txt (first line: subject).

    ``matter`` (a matter or its id) is the matter the notice is about: nobody from whom it is sealed is told,
    and a notice already sent disappears from the inbox of anyone it becomes sealed from.

    Notices are written in the library's language (LANGUAGE_CODE), not in whatever language the person whose
    action sends them has chosen: the recipient did not choose it.
    """
    from closedstacks.notices.tasks import send_notice

    if not connection.in_atomic_block:
        raise RuntimeError("notify() must run inside the transaction of the change it announces")
    made = []
    seen = set()
    about = getattr(matter, "pk", matter)
    for person in recipients:
        if person is None or not person.is_active or person.pk in seen:
            continue
        if about is not None and sealed.hidden_from(person).filter(pk=about).exists():
            continue
        seen.add(person.pk)
        with translation.override(settings.LANGUAGE_CODE):
            text = render_to_string(f"notices/{template}.txt", {**context, "recipient": person,
                                                                "site_url": settings.SITE_URL, "url": url}).strip()
        subject, _, body = text.partition("\n")
        notice = Notice.objects.create(recipient=person, subject=subject.strip()[:200], body=body.strip(), url=url,
                                       matter_id=about)
        send_notice.enqueue(notice.pk)
        made.append(notice)
    return made


def unread_count(user) -> int:
    return Notice.objects.for_reader(user).filter(read_at__isnull=True).count()


def mark_all_read(user) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
