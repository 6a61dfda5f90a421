"""Test-run environment, set before Django reads its settings (loaded with `-p tests.environment`)."""

import os
import tempfile

# Each run keeps its generated keys, SQLite files and outbox in a fresh directory.
os.environ.setdefault("CLOSEDSTACKS_DATA_DIR", tempfile.mkdtemp(prefix="closedstacks-test-"))
os.environ.setdefault("CLOSEDSTACKS_LOG_LEVEL", "WARNING")
