"""The Koha connector (MariaDB/MySQL; SQLite and PostgreSQL for tests and demos) and its test-database generator."""

from closedstacks.records.connectors.koha.connector import KohaConnector as CONNECTOR
from closedstacks.records.connectors.koha.generate import generate

__all__ = ["CONNECTOR", "generate"]
