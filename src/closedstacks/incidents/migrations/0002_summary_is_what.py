from django.db import migrations


def open_means_new(apps, schema_editor):
    apps.get_model("incidents", "Incident").objects.filter(status="open").update(status="new")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [
        migrations.RenameField("incident", "summary", "what"),
        migrations.RunPython(open_means_new, migrations.RunPython.noop),
    ]
