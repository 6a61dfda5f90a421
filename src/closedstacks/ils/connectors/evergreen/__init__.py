"""The connector to Evergreen (PostgreSQL; SQLite for tests and the demo). Its test-database generator is
closedstacks.ils.generators.evergreen, off the connector's import path."""

from closedstacks.ils.connectors.evergreen.connector import EvergreenConnector as CONNECTOR

__all__ = ["CONNECTOR"]
