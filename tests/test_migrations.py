from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import cli_env, closedstacks, python_in


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()


def test_the_transparency_reports_of_the_app_once_called_reports_are_kept(scratch_url, tmp_path):
    """A database made before the app was renamed keeps its table's rows: the migration takes the table over."""
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    out = python_in("""
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
with connection.schema_editor() as editor:
    migration.take_over_or_create(apps, editor)
print(migration.OLD_TABLE in connection.introspection.table_names(),
      TransparencyReport.objects.get(pk=kept.pk).narrative)
""", env=env)
    assert out.strip() == "False Kept across the rename."


@pytest.mark.django_db
def test_outcomes_once_stored_as_words_become_their_codes():
    import importlib

    from django.apps import apps

    from closedstacks.matters.models import Matter
    from closedstacks.matters.states import Outcome
    from tests.conftest import make_account
    from tests.procedure import stored_matter

    migration = importlib.import_module("closedstacks.matters.migrations.0004_vocabularies")
    accounts = {"staff": make_account("desk", "staff"), "officer": make_account("olive", "officer")}
    warrant = stored_matter(accounts, kind="warrant", outcome="warrant executed")
    emergency = stored_matter(accounts, kind="emergency", outcome="emergency decided")
    released = stored_matter(accounts, outcome="released_part")
    migration.codes(apps, None)
    assert [Matter.objects.get(pk=m.pk).outcome for m in (warrant, emergency, released)] == [
        Outcome.WARRANT_EXECUTED, Outcome.EMERGENCY_DECIDED, Outcome.RELEASED_PART]
    migration.words(apps, None)
    assert Matter.objects.get(pk=warrant.pk).outcome == "warrant executed"
