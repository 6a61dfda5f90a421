"""One engine's audit benchmark, run in its own process on a scratch database.

Usage: python -m closedstacks.bench.audit_run ENTRIES [--progress]
Prints one JSON line of figures.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _progress(enabled: bool, label: str, done: int, total: int) -> None:
    if enabled and sys.stderr.isatty() and (done == total or done % max(1, total // 50) == 0):
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r  {label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def main(argv: list[str]) -> None:
    entries = int(argv[0])
    show = "--progress" in argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "closedstacks.conf.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, models, transaction
    from django.utils import timezone

    from closedstacks.audit.chain import canonical_json, canonical_time
    from closedstacks.audit.models import AuditEntry
    from closedstacks.audit.trail import _INSERT, record
    from closedstacks.audit.verify import CHUNK, SELECT_ALL, verify

    call_command("migrate", interactive=False, verbosity=0)
    vendor = connection.vendor
    if show:
        sys.stderr.write(f"{vendor}:\n")

    # The baseline table: the same columns and indexes as audit_entry, no chain.
    class PlainEntry(models.Model):
        seq = models.BigIntegerField(primary_key=True)
        at = models.DateTimeField()
        actor_id = models.BigIntegerField(null=True, db_index=True)
        actor_label = models.CharField(max_length=150)
        action = models.CharField(max_length=100, db_index=True)
        object_type = models.CharField(max_length=50, blank=True)
        object_id = models.CharField(max_length=64, blank=True)
        details = models.TextField()
        prev_hash = models.CharField(max_length=64)
        hash = models.CharField(max_length=64)

        class Meta:
            app_label = "audit"
            db_table = "bench_plain_entry"
            indexes = [models.Index(fields=["object_type", "object_id"], name="bench_plain_object"),
                       models.Index(fields=["at"], name="bench_plain_at")]

    with connection.schema_editor() as editor:
        editor.create_model(PlainEntry)

    def row(i: int) -> dict:
        return {"action": "matter.record_viewed", "obj": ("matter", str(i % 500 + 1)),
                "details": {"kind": "loans", "rows": i % 97, "page": i % 13}}

    # The baseline: the very INSERT statement record() uses, with the same
    # values, one transaction per row, but no lock, no head lookup, no hash.
    # The two run in alternating blocks, so that background work of the
    # database (autovacuum, checkpoints) falls on both alike.
    plain_insert = _INSERT.replace("audit_entry", "bench_plain_entry", 1)

    def plain_block(first: int, last: int) -> float:
        began = time.perf_counter()
        for i in range(first, last):
            data = row(i)
            with transaction.atomic(), connection.cursor() as cursor:
                at = timezone.now()
                cursor.execute(plain_insert, [
                    i, canonical_time(at) if vendor == "sqlite" else at, None, "bench", data["action"],
                    data["obj"][0], data["obj"][1], canonical_json(data["details"]), "0" * 64, "0" * 64])
        return time.perf_counter() - began

    def chained_block(first: int, last: int) -> float:
        began = time.perf_counter()
        for i in range(first, last):
            data = row(i)
            with transaction.atomic():
                record(data["action"], actor="bench", obj=data["obj"], details=data["details"])
        return time.perf_counter() - began

    insert_s = append_s = 0.0
    block = 1000
    for first in range(1, entries + 1, block):
        last = min(first + block, entries + 1)
        insert_s += plain_block(first, last)
        append_s += chained_block(first, last)
        _progress(show, "INSERT and append", last - 1, entries)

    def plain_read() -> float:
        began = time.perf_counter()
        with connection.chunked_cursor() as cursor:
            cursor.execute(SELECT_ALL)
            while cursor.fetchmany(CHUNK):
                pass
        return time.perf_counter() - began

    def full_verify() -> float:
        began = time.perf_counter()
        result = verify()
        elapsed = time.perf_counter() - began
        if not result.ok or result.entries != entries:
            raise SystemExit(f"verification failed: {result.summary()}")
        return elapsed

    # Alternate the two and keep the best of five, so caches and a busy
    # machine favour neither.
    reads, verifies = [], []
    for _ in range(5):
        reads.append(plain_read())
        verifies.append(full_verify())
    read_s, verify_s = min(reads), min(verifies)
    if show:
        sys.stderr.write(f"  read {read_s:.3f}s, verify {verify_s:.3f}s\n")

    print(json.dumps({
        "engine": vendor,
        "entries": AuditEntry.objects.count(),
        "insert_s": round(insert_s, 4),
        "append_s": round(append_s, 4),
        "insert_per_s": round(entries / insert_s, 1),
        "append_per_s": round(entries / append_s, 1),
        "append_vs_insert": round(insert_s / append_s, 3),
        "read_s": round(read_s, 4),
        "verify_s": round(verify_s, 4),
        "verify_vs_read": round(verify_s / read_s, 3),
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
