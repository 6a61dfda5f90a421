"""Configuring connections to the library system: every change audited, passwords never echoed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from closedstacks.audit.trail import record
from closedstacks.ils.connectors import PACKAGES
from closedstacks.ils.connectors.base import ConnectorError, TestReport
from closedstacks.ils.connectors.db import DRIVERS
from closedstacks.ils.models import Connection


class ConnectionError_(Exception):
    """A connection setting that cannot be saved; the message says why."""


FIELDS = ["name", "connector", "driver", "host", "port", "database", "read_user", "write_user", "active"]


def save_connection(connection: Connection, *, by, read_password: str | None = None,
                    write_password: str | None = None, changed: list[str] | None = None) -> Connection:
    """Save settings; a password given replaces the stored one, None keeps it, "" removes it."""
    if connection.connector not in PACKAGES:
        raise ConnectionError_(f"There is no connector for {connection.connector!r}.")
    if connection.driver not in DRIVERS:
        raise ConnectionError_(f"Unknown database kind {connection.driver!r}.")
    created = connection.pk is None
    changed = sorted(set(changed if changed is not None else FIELDS))
    with transaction.atomic():
        if read_password is not None:
            connection.set_password("read", read_password)
            changed.append("read_password")
        if write_password is not None:
            connection.set_password("write", write_password)
            changed.append("write_password")
        connection.save()
        record("connection.created" if created else "connection.changed", actor=by, obj=connection,
               details={"fields": changed, "connector": connection.connector, "driver": connection.driver})
    return connection


def test_connection(connection: Connection, *, by) -> TestReport:
    """Run the connector's own test with the read-only credentials, keep the result, audit it."""
    try:
        report = connection.open().test()
    except (ConnectorError, ValueError) as exc:
        report = TestReport(ok=False, problems=[str(exc)])
    with transaction.atomic():
        connection.last_tested_at = timezone.now()
        connection.last_test_ok = report.ok
        connection.last_test = {"tables": report.tables, "problems": report.problems, "warnings": report.warnings,
                                "version": report.version}
        connection.save(update_fields=["last_tested_at", "last_test_ok", "last_test"])
        record("connection.tested", actor=by, obj=connection,
               details={"ok": report.ok, "problems": len(report.problems)})
    return report


def remove_connection(connection: Connection, *, by) -> None:
    with transaction.atomic():
        record("connection.removed", actor=by, obj=connection, details={"connector": connection.connector})
        connection.delete()


def rekey(*, by) -> int:
    """Encrypt every stored password again with the first encryption key (after a key rotation)."""
    from closedstacks.conf import crypto

    done = 0
    with transaction.atomic():
        for connection in Connection.objects.select_for_update():
            connection.read_password_encrypted = crypto.rotate(connection.read_password_encrypted)
            connection.write_password_encrypted = crypto.rotate(connection.write_password_encrypted)
            connection.save(update_fields=["read_password_encrypted", "write_password_encrypted"])
            done += 1
        record("connection.rekeyed", actor=by, details={"connections": done})
    return done
