"""The Koha connector (MariaDB/MySQL; SQLite and PostgreSQL for tests and demos). Its test-database generator
is closedstacks.ils.generators.koha, off the connector's import path."""

from closedstacks.ils.connectors.koha.connector import KohaConnector as CONNECTOR

__all__ = ["CONNECTOR"]
