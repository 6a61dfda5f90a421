"""The table of the "throttle" cache (closedstacks.access.throttle): the rate limits' counts, shared by every web
worker. Django makes a cache table with `createcachetable`; migrating does it here, so that every database that
is migrated (production, the demo, the tests' databases) has it."""

from django.core.management import call_command
from django.db import migrations

TABLE = "closedstacks_throttle"


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
