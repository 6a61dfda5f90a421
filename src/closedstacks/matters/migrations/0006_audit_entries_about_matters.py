"""Say, for the entries already on the audit trail, which matter each is about (audit_entry_matter).

The trail itself is not touched (it refuses UPDATE): the side table only lets entries about a sealed matter be
shown, to people not named on it, as their number, time and hashes.
"""

from django.db import migrations

# audit object type → how to reach its matter from the object's model
OWNERS = {
    "matter": None,
    "instrument": ("matters", "Instrument", "matter_id"),
    "review": ("matters", "Review", "instrument__matter_id"),
    "scope": ("matters", "Scope", "matter_id"),
    "deadline": ("matters", "Deadline", "matter_id"),
    "legal_hold": ("records", "LegalHold", "matter_id"),
    "production": ("records", "Production", "matter_id"),
    "release": ("records", "Release", "production__matter_id"),
    "incident": ("incidents", "Incident", "matter_id"),
    "breach": ("incidents", "Breach", "incident__matter_id"),
    "affected_user": ("incidents", "AffectedUser", "breach__incident__matter_id"),
}


def backfill(apps, schema_editor):
    Entry = apps.get_model("audit", "AuditEntry")
    About = apps.get_model("audit", "EntryMatter")
    done = set(About.objects.values_list("seq", flat=True))
    for object_type, owner in OWNERS.items():
        entries = Entry.objects.filter(object_type=object_type).values_list("seq", "object_id")
        if owner is None:
            matter_of = {}
        else:
            app, model, path = owner
            matter_of = {str(pk): matter for pk, matter in apps.get_model(app, model).objects.exclude(
                **{f"{path}__isnull": True}).values_list("pk", path)}
        rows = []
        for seq, object_id in entries.iterator(chunk_size=2000):
            matter = int(object_id) if owner is None and object_id.isdigit() else matter_of.get(object_id)
            if matter is not None and seq not in done:
                rows.append(About(seq=seq, matter_id=matter))
        About.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("matters", "0005_random_references"),
        ("audit", "0003_entry_matter"),
        ("records", "0005_review_checks"),
        ("incidents", "0003_desk_and_breaches"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
