"""Verifying the trail on request, and what the last verification found."""

from __future__ import annotations

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from closedstacks.audit.models import AuditEntry
from closedstacks.audit.tasks import verify_trail
from closedstacks.audit.trail import record
from closedstacks.audit.verify import VERIFIED

VERIFY_TASK = "closedstacks.audit.tasks.verify_trail"


def request_verification(*, actor) -> None:
    """Queue a verification for the job worker (the request and its job commit together)."""
    with transaction.atomic():
        if verification_pending():
            return
        record("audit.verification_requested", actor=actor)
        verify_trail.enqueue()


def verification_pending() -> bool:
    return DBTaskResult.objects.filter(
        task_path=VERIFY_TASK, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()


def last_verification() -> AuditEntry | None:
    return AuditEntry.objects.filter(action=VERIFIED).order_by("-seq").first()
