"""E-mail for notices, sent by the job worker after the change committed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)


@task()
def send_notice(notice_id: int) -> str:
    from closedstacks.notices.models import Notice

    notice = Notice.objects.select_related("recipient").get(pk=notice_id)
    if notice.emailed_at:
        return "already sent"
    address = notice.recipient.email
    if not address:
        Notice.objects.filter(pk=notice_id).update(email_problem="no e-mail address on the account")
        return "no address"
    body = notice.body
    if notice.url:
        body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{notice.url}"
    try:
        send_mail(notice.subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except OSError as exc:
        # Only the notice number goes to the log; the worker will show the job failed.
        log.warning("e-mail for notice %s failed: %s", notice_id, exc.__class__.__name__)
        Notice.objects.filter(pk=notice_id).update(email_problem=f"sending failed: {exc.__class__.__name__}")
        raise
    Notice.objects.filter(pk=notice_id).update(emailed_at=timezone.now(), email_problem="")
    return "sent"
