"""The registry of connectors to library systems: ``get("koha")`` → the Connector class."""

from __future__ import annotations

import importlib

from closedstacks.ils.connectors.base import Connector, ConnectorError

# name → module path of the package that defines ``CONNECTOR``.
PACKAGES = {
    "koha": "closedstacks.ils.connectors.koha",
    "evergreen": "closedstacks.ils.connectors.evergreen",
}


def get(name: str) -> type[Connector]:
    if name not in PACKAGES:
        raise ConnectorError(f"There is no connector called {name!r} (there are: {', '.join(sorted(PACKAGES))}).")
    return importlib.import_module(PACKAGES[name]).CONNECTOR
