"""Generated library systems of any size, for tests, benchmarks and the demo: ``get("koha")(settings, users=…)``.

Kept apart from the connectors, so that reading a real library system never imports them.
"""

from __future__ import annotations

import importlib

from closedstacks.ils.connectors import get as connector
from closedstacks.ils.connectors.base import ConnectorError

MODULES = {
    "koha": "closedstacks.ils.generators.koha",
    "evergreen": "closedstacks.ils.generators.evergreen",
}


def get(name: str):
    """The ``generate(settings, *, users, loans, …)`` function for the system called ``name``."""
    connector(name)  # an unknown system is refused in the connectors' own words
    if name not in MODULES:
        raise ConnectorError(f"There is no generator for {name!r}.")
    return importlib.import_module(MODULES[name]).generate
