"""From the users an instrument designates to the library system's own user ids, through the connector.

``IdentifierType`` (how an instrument names a user) maps onto what connectors
look up: card, username, name; "other" is tried as the system's own id. A
name can match several people: such a user is reported as ambiguous and
counted, held and extracted for nobody until the instrument is narrowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from closedstacks.ils.connectors.base import Connector
from closedstacks.ils.models import Connection

LOOKUP = {"card": "card", "username": "username", "name": "name", "other": "id"}


@dataclass
class Resolution:
    designated_id: int
    label: str  # how the instrument names the user (shown only where the matter is)
    ils_ids: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return {0: "not_found", 1: "found"}.get(len(self.ils_ids), "ambiguous")


def current_connection() -> Connection | None:
    """The library system Closed Stacks reads: the first connection in use, by name."""
    return Connection.objects.filter(active=True).order_by("name").first()


def find(connector: Connector, designated) -> list[str]:
    """The library system's ids for one designated user (the date of birth, when the instrument gives one, tells
    apart people of one name)."""
    return connector.resolve(LOOKUP.get(designated.identifier_type, "id"), designated.value,
                             date_of_birth=getattr(designated, "date_of_birth", None))


def resolve(designated_users, connector: Connector) -> list[Resolution]:
    return [Resolution(d.pk, str(d), find(connector, d)) for d in designated_users]
