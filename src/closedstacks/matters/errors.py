"""What a step returns, and how a refused move is said."""

from __future__ import annotations

from dataclasses import dataclass, field


class ProcedureError(Exception):
    """A move the procedure does not allow now; the message says what is missing."""


class StaleMatter(ProcedureError):
    """Someone else changed the matter since the form was shown."""


class MatterNotFound(ProcedureError):
    """No such matter, or not one this person may open."""


@dataclass
class Result:
    """What a step did: the new state (None: unchanged), a line for the timeline, audit details, notices."""

    to: str | None = None
    summary: object = ""  # a wording.Said (stored as what happened), or plain text
    details: dict = field(default_factory=dict)
    notices: list[tuple[list, str]] = field(default_factory=list)


def require(condition: bool, message: str) -> None:
    if not condition:
        raise ProcedureError(message)
