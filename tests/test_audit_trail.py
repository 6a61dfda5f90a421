"""Writing the audit trail: one function, in the change's own transaction, append-only."""

from __future__ import annotations

import hashlib

import pytest
from django.db import DatabaseError, connection, transaction

from closedstacks.audit.chain import GENESIS, SEPARATOR, AuditError, canonical_time
from closedstacks.audit.models import AuditCheckpoint, AuditEntry
from closedstacks.audit.trail import checkpoint, record
from closedstacks.audit.verify import verify
from tests.conftest import make_account

pytestmark = pytest.mark.django_db


def test_an_entry_is_chained_and_hashed_over_all_its_fields():
    with transaction.atomic():
        first = record("account.role_granted", actor="cli:root", obj=("account", 7), details={"role": "officer"})
        second = record("account.role_revoked", actor="cli:root", obj=("account", 7), details={"role": "officer"})
    stored = AuditEntry.objects.get(seq=first.seq)
    if first.seq == 1:
        assert stored.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    payload = SEPARATOR.join([str(stored.seq), canonical_time(stored.at), "", "cli:root", "account.role_granted",
                              "account", "7", '{"role":"officer"}', stored.prev_hash])
    assert stored.hash == hashlib.sha256(payload.encode()).hexdigest()
    assert stored.details_data == {"role": "officer"}
    assert stored.object_ref == "account:7"


@pytest.mark.parametrize("action", ["Account.Created", "created", "account.", "account created", ""])
def test_action_names_are_dotted(action):
    with transaction.atomic(), pytest.raises(AuditError, match="dotted"):
        record(action)


def test_details_must_be_plain_json_and_references_need_a_type():
    with transaction.atomic():
        with pytest.raises(AuditError, match="plain JSON"):
            record("account.created", details={"when": object()})
        with pytest.raises(AuditError, match="audit_type"):
            record("account.created", obj=object())
        for ref in [("account", "7\x1f8"), ("account", "Maria Lopez"), ("Patron", "1"), ("account", "")]:
            with pytest.raises(AuditError, match="is a reference"):
                record("account.created", obj=ref)


def test_an_account_is_referenced_by_id_never_by_name():
    user = make_account("maria.lopez", "staff")
    entry = AuditEntry.objects.filter(action="account.created").latest("seq")
    assert (entry.object_type, entry.object_id) == ("account", str(user.pk))
    assert "maria" not in entry.details.lower()


def test_the_entry_rolls_back_with_the_change_it_records():
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record("account.created", actor="cli:root", obj=("account", 1))
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == before


def _refused(sql: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # settle this test's own pending FK checks
        cursor.execute(sql)


def test_the_database_refuses_update_and_delete():
    with transaction.atomic():
        entry = record("account.created", actor="cli:root", obj=("account", 1))
    checkpoint()
    _refused(f"UPDATE audit_entry SET action = 'account.deleted' WHERE seq = {entry.seq}")
    _refused(f"DELETE FROM audit_entry WHERE seq = {entry.seq}")
    _refused("UPDATE audit_checkpoint SET entry_hash = 'x'")
    _refused("DELETE FROM audit_checkpoint")
    if connection.vendor == "postgresql":
        _refused("TRUNCATE audit_entry")
    assert AuditEntry.objects.get(seq=entry.seq).action == "account.created"


def test_checkpoints_are_signed_every_interval(settings):
    settings.AUDIT_CHECKPOINT_INTERVAL = 3
    with transaction.atomic():
        for n in range(7):
            record("matter.viewed", actor="cli:root", obj=("matter", n))
    last = AuditEntry.objects.latest("seq").seq
    assert set(AuditCheckpoint.objects.values_list("seq", flat=True)) == {s for s in range(3, last + 1, 3)}
    result = verify()
    assert result.ok, result.summary()
    assert result.last_checkpoint == (last // 3) * 3


def test_checkpoint_on_command_signs_the_head_once():
    with transaction.atomic():
        entry = record("matter.viewed", actor="cli:root", obj=("matter", 1))
    made = checkpoint()
    assert made.seq == entry.seq and made.entry_hash == entry.hash
    assert checkpoint() is None
