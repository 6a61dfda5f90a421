from django.db import migrations


def load(apps, schema_editor):
    from closedstacks.library.starter import CHECKLISTS, POLICY_TEXT, POLICY_TITLE

    ChecklistItem = apps.get_model("library", "ChecklistItem")
    PolicyVersion = apps.get_model("library", "PolicyVersion")
    LibraryProfile = apps.get_model("library", "LibraryProfile")
    for instrument_type, items in CHECKLISTS.items():
        for position, (text, guidance) in enumerate(items, start=1):
            ChecklistItem.objects.create(instrument_type=instrument_type, position=position, text=text,
                                         guidance=guidance)
    if not PolicyVersion.objects.exists():
        PolicyVersion.objects.create(number=1, title=POLICY_TITLE, text=POLICY_TEXT)
    LibraryProfile.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
