"""The connector to Evergreen (PostgreSQL; SQLite for tests and the demo), and its test-database generator."""

from .connector import EvergreenConnector as CONNECTOR  # noqa: F401
from .generate import generate  # noqa: F401
