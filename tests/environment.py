"""Test-run environment, set before Django reads its settings (loaded with `-p tests.environment`)."""

import os
import tempfile

# Each run keeps its generated keys, SQLite files and outbox in a fresh directory.
os.environ.setdefault("CLOSEDSTACKS_DATA_DIR", tempfile.mkdtemp(prefix="closedstacks-test-"))
os.environ.setdefault("CLOSEDSTACKS_LOG_LEVEL", "WARNING")
# Rate limits high enough that no test of something else meets them, here and in the servers the tests start
# (cli_env and demo_env pass them on); tests/test_throttling.py lowers them where it proves them.
HIGH_RATES = {f"CLOSEDSTACKS_{name}": "100000/min"
              for name in ("SIGN_IN_RATE", "API_WRITE_RATE", "API_WRITE_RATE_PER_ADDRESS")}
for _name, _rate in HIGH_RATES.items():
    os.environ.setdefault(_name, _rate)
