"""Trigram indexes for the matters search on PostgreSQL: a substring search (icontains, which Django writes as
UPPER(column) LIKE UPPER('%…%')) reads them instead of every row. SQLite has no such index: nothing is done there
(the search scans the matters, which the benchmark measures)."""

from django.db import migrations

COLUMNS = [("matters_matter", "reference"), ("matters_matter", "requester_agency"),
           ("matters_matter", "requester_name"), ("matters_instrument", "case_number"),
           ("matters_instrument", "caption")]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in COLUMNS:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} '
                              f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("matters", "0010_extensions_and_documents")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
