from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_transparency_reports_of_the_app_once_called_reports_are_kept():
    """A database made before the app was renamed keeps its table's rows: the migration takes the table over."""
    import importlib

    from django.apps import apps
    from django.db import connection

    from closedstacks.accounts.services import create_account
    from closedstacks.transparency.models import TransparencyReport

    migration = importlib.import_module("closedstacks.transparency.migrations.0001_initial")
    officer, _ = create_account(username="olive", roles=["officer"], by="test", password="x" * 16)
    kept = TransparencyReport.objects.create(year=2024, narrative="Kept across the rename.", created_by=officer)
    with connection.schema_editor() as editor:  # as the app once called reports left it
        editor.alter_db_table(TransparencyReport, TransparencyReport._meta.db_table, migration.OLD_TABLE)
    try:
        with connection.schema_editor() as editor:
            migration.take_over_or_create(apps, editor)
    finally:
        if migration.OLD_TABLE in connection.introspection.table_names():
            with connection.schema_editor() as editor:
                editor.alter_db_table(TransparencyReport, migration.OLD_TABLE, TransparencyReport._meta.db_table)
    assert migration.OLD_TABLE not in connection.introspection.table_names()
    assert TransparencyReport.objects.get(pk=kept.pk).narrative == "Kept across the rename."
