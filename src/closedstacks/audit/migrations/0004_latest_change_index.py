"""A partial index of the trail without its quiet entries (looks, downloads, sign-ins), from which the latest
change is read in one step (audit/quiet.py). Its condition is written from ``quiet.QUIET``: a later change to
that list needs a migration that drops and makes the index again."""

from django.db import migrations

from closedstacks.audit import quiet


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_entry_matter")]

    operations = [migrations.RunSQL(quiet.CREATE_INDEX, quiet.DROP_INDEX, elidable=False)]
