"""Connections to the library system: configured by an administrator, passwords encrypted and never shown."""

from __future__ import annotations

from closedstacks.audit.models import AuditEntry
from closedstacks.ils.models import Connection
from tests.conftest import cli_env, closedstacks, text

SECRET = "s3cret-Koha-pass!"



def form(**overrides) -> dict:
    data = {"name": "koha", "connector": "koha", "driver": "mysql", "host": "127.0.0.1", "port": "3306",
            "database": "koha_library", "read_user": "closedstacks_ro", "read_password": SECRET,
            "write_user": "", "write_password": "", "active": "on"}
    data.update(overrides)
    return data


def test_an_administrator_adds_a_connection_and_the_password_is_encrypted_and_never_shown(client_for):
    admin = client_for("admin")
    response = admin.post("/connections/new/", form())
    connection = Connection.objects.get()
    assert response.status_code == 302 and response.url == f"/connections/{connection.pk}/"
    assert SECRET not in connection.read_password_encrypted and connection.read_password_encrypted
    assert connection.settings().password == SECRET
    page = text(admin.get(f"/connections/{connection.pk}/"))
    assert SECRET not in page and "A read-only password is stored" in page
    entry = AuditEntry.objects.get(action="connection.created")
    assert SECRET not in entry.details and "read_password" in entry.details
    # Saving again without a password keeps the stored one.
    admin.post(f"/connections/{connection.pk}/", form(read_password="", database="koha2"))
    connection.refresh_from_db()
    assert connection.database == "koha2" and connection.settings().password == SECRET
    assert "read_password" not in AuditEntry.objects.get(action="connection.changed").details


def test_testing_a_connection_that_cannot_work_says_why(client_for):
    admin = client_for("admin")
    admin.post("/connections/new/", form(driver="mysql", port="1", database="koha"))
    connection = Connection.objects.get()
    response = admin.post(f"/connections/{connection.pk}/test/", follow=True)
    page = text(response)
    assert "cannot be reached" in page and SECRET not in page
    connection.refresh_from_db()
    assert connection.last_test_ok is False and connection.last_tested_at
    assert AuditEntry.objects.filter(action="connection.tested").count() == 1


def test_a_tested_koha_connection_lists_its_tables_even_the_one_called_items(client_for, tmp_path):
    from closedstacks.ils import generators
    from closedstacks.ils.connectors.db import ConnectionSettings

    path = tmp_path / "koha.sqlite3"
    generators.get("koha")(ConnectionSettings(driver="sqlite", database=str(path)), users=20, loans=100, seed=1)
    connection = Connection.objects.create(name="koha", connector="koha", driver="sqlite", database=str(path))
    admin = client_for("admin")
    assert admin.post(f"/connections/{connection.pk}/test/").status_code == 302
    page = admin.get(f"/connections/{connection.pk}/")
    assert page.status_code == 200  # Koha has a table called items: the page once read it as the dict's items()
    shown = text(page)
    assert "<code>items</code>" in shown and "<code>old_issues</code>" in shown and "works" in shown


def test_only_an_administrator_configures_connections(client_for):
    for role in ("staff", "officer", "director", "counsel", "custodian", "auditor"):
        assert client_for(role).get("/connections/").status_code == 403
        assert client_for(role).post("/connections/new/", form()).status_code == 403
    assert not Connection.objects.exists()


def test_the_command_line_adds_lists_and_tests_a_connection_without_printing_the_password(scratch_url, tmp_path):
    env = cli_env(scratch_url, tmp_path)
    assert closedstacks("migrate", env=env).returncode == 0
    added = closedstacks("connector", "add", "main", "--kind", "koha", "--driver", "mysql", "--port", "1",
                         "--database", "koha", "--user", "ro", "--password-stdin", env=env, input=SECRET + "\n")
    assert "Added main." in added.stdout and "cannot be reached" in added.stdout
    listed = closedstacks("connector", "list", env=env)
    assert "main" in listed.stdout and "fails" in listed.stdout
    for output in (added.stdout + added.stderr, listed.stdout + listed.stderr):
        assert SECRET not in output
    again = closedstacks("connector", "add", "main", "--kind", "koha", "--driver", "mysql", "--database", "k",
                         env=env)
    assert again.returncode == 1 and "exists already" in again.stderr
    assert closedstacks("connector", "test", "nowhere", env=env).returncode == 1
    assert closedstacks("connector", "remove", "main", "--yes", env=env).returncode == 0
