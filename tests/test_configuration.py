"""Settings come from the environment, are checked at start-up, and secrets are never printed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import closedstacks

pytestmark = pytest.mark.slow  # start-up, through the command line


def env_with(tmp_path, **values) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSEDSTACKS_")}
    env["CLOSEDSTACKS_DATA_DIR"] = str(tmp_path / "data")
    env.update(values)
    return env


@pytest.mark.parametrize("name, value, words", [
    ("CLOSEDSTACKS_SESSION_IDLE_MINUTES", "soon", "expected a whole number"),
    ("CLOSEDSTACKS_SESSION_IDLE_MINUTES", "0", "must be at least 1"),
    ("CLOSEDSTACKS_HTTPS", "maybe", "expected true or false"),
    ("CLOSEDSTACKS_DATABASE_URL", "mysql://root@localhost/x", "use a sqlite:/// or postgres:// URL"),
    ("CLOSEDSTACKS_SMTP_PORT", "99999", "must be at most 65535"),
    ("CLOSEDSTACKS_AUDIT_SIGNING_KEY", "too-short", "must be 32 bytes encoded in base64"),
    ("CLOSEDSTACKS_TIME_ZONE", "Mars/Olympus_Mons", "unknown time zone"),
    ("CLOSEDSTACKS_SECRET_KEY_FILE", "/nonexistent/secret", "cannot read /nonexistent/secret"),
    ("CLOSEDSTACKS_LOG_LEVEL", "LOUD", "must be one of"),
])
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, name, value, words):
    extra = {name: value}
    if name == "CLOSEDSTACKS_SMTP_PORT":
        extra["CLOSEDSTACKS_SMTP_HOST"] = "smtp.example.org"
    done = closedstacks("check", env=env_with(tmp_path, **extra))
    assert done.returncode == 2
    assert done.stderr.startswith(f"Configuration error: {name}"), done.stderr
    assert words in done.stderr
    assert "Traceback" not in done.stderr


def test_secrets_are_generated_once_into_the_data_directory_and_never_printed(tmp_path):
    env = env_with(tmp_path)
    first = closedstacks("check", env=env)
    assert first.returncode == 0, first.stderr
    data = tmp_path / "data"
    secret = (data / "secret_key").read_text().strip()
    audit_key = (data / "audit_signing_key").read_text().strip()
    assert len(secret) > 40 and len(audit_key) == 44
    for path in (data / "secret_key", data / "audit_signing_key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = closedstacks("check", env=env)
    assert (data / "secret_key").read_text().strip() == secret
    for output in (first.stdout + first.stderr, second.stdout + second.stderr):
        assert secret not in output and audit_key not in output


def test_secrets_can_come_from_files_but_not_from_both_places(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("s" * 60)
    ok = closedstacks("check", env=env_with(tmp_path, CLOSEDSTACKS_SECRET_KEY_FILE=str(key_file)))
    assert ok.returncode == 0
    assert not (tmp_path / "data" / "secret_key").exists()
    both = closedstacks("check", env=env_with(tmp_path, CLOSEDSTACKS_SECRET_KEY_FILE=str(key_file),
                                              CLOSEDSTACKS_SECRET_KEY="x" * 60))
    assert both.returncode == 2 and "not both" in both.stderr


def test_every_command_has_help(tmp_path):
    env = env_with(tmp_path)
    top = closedstacks("--help", env=env)
    for name in ("serve", "demo", "migrate", "user", "audit", "bench", "jobs"):
        assert f"  {name} " in top.stdout
    for command in (["serve"], ["demo"], ["migrate"], ["user", "add"], ["user", "list"], ["user", "disable"],
                    ["user", "roles"], ["user", "unlock"], ["audit", "verify"], ["audit", "checkpoint"],
                    ["bench", "audit"], ["jobs", "work"]):
        done = closedstacks(*command, "--help", env=env)
        assert done.returncode == 0 and "Usage: closedstacks" in done.stdout, command
    # --help needs no configuration at all
    assert closedstacks("--help", env=env_with(tmp_path, CLOSEDSTACKS_HTTPS="maybe")).returncode == 0


def test_the_real_settings_hash_passwords_with_argon2(tmp_path):
    """The tests hash with MD5 for speed (conftest.py); what a library runs hashes with argon2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSEDSTACKS_")}
    env["CLOSEDSTACKS_DATA_DIR"] = str(tmp_path)
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'closedstacks.conf.settings'; django.setup()\n"
            "from django.contrib.auth.hashers import get_hasher, make_password\n"
            "print(get_hasher().algorithm, make_password('correct horse battery staple').split('$')[0])")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["argon2", "argon2"]
