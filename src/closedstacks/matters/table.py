"""The procedure's table as people read it, printed from MOVES: a Markdown table of every move and a diagram
of the states (Mermaid). ``closedstacks procedure table`` prints it; docs/architecture.md holds a copy between
the markers below, which ``--write`` replaces and a test keeps true."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from closedstacks.matters.procedure import EVERY_MOVE, MOVES, STAY, holders_of
from closedstacks.matters.states import CLOSED_STATES, OPEN_STATES, State

BEGIN = "<!-- procedure table: printed by `closedstacks procedure table`; do not edit by hand -->"
END = "<!-- end of the procedure table -->"

ORDER = [state.value for state in State]


def _states(states) -> str:
    states = set(states)
    words = []
    if OPEN_STATES <= states:
        words.append("any open state")
        states -= OPEN_STATES
    if CLOSED_STATES <= states:
        words.append("any closed state")
        states -= CLOSED_STATES
    stays = STAY in states
    words += [state for state in ORDER if state in states]
    if stays:
        words.append("stays")
    return ", ".join(words)


def _paths(move) -> str:
    """Where the move leads: the same from every source, or per source ("received → in_review; …")."""
    ways = {frozenset(targets) for targets in move.paths.values()}
    if len(ways) == 1:
        return _states(next(iter(ways)))
    return "; ".join(f"{source} → {_states(move.paths[source])}" for source in ORDER if source in move.paths)


def _condition(gate) -> str:
    return " ".join((gate.__doc__ or gate.__name__).split())


def markdown() -> str:
    """The table and the diagram, in English whatever the language in force."""
    with translation.override("en"):
        rows = ["| Move | From | To | Who | Only when |", "|---|---|---|---|---|"]
        for move in MOVES.values():
            rows.append(f"| `{move.name}`: {move.label} | {_states(move.sources)} | {_paths(move)} | "
                        f"{' or '.join(holders_of(move.scope))} | "
                        f"{'; '.join(_condition(gate) for gate in move.gates) or '—'} |")
        every = "; ".join(_condition(gate) for gate in EVERY_MOVE)
        lines = [BEGIN, "", *rows, "", f"Every move also needs: {every}.", "",
                 "```mermaid", "stateDiagram-v2", "    [*] --> referred: log an inquiry (any staff member)"]
        everywhere = []
        for move in MOVES.values():
            if OPEN_STATES <= move.sources:
                everywhere.append(move.name)
                continue
            for source in (state for state in ORDER if state in move.sources):
                for target in (state for state in ORDER if state in move.paths[source]):
                    lines.append(f"    {source} --> {target}: {move.name}")
        lines += [f"    {state} --> [*]" for state in ORDER if state in CLOSED_STATES]
        lines += ["```", "", "From any open state, and not drawn: " + ", ".join(f"`{name}`" for name in everywhere)
                  + ". A move that keeps the matter where it was is not drawn either.", "", END]
    return "\n".join(lines) + "\n"


def written_in(path: Path) -> str | None:
    """The copy of the table in ``path`` (markers included), or None if it has none."""
    found = re.search(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n", path.read_text(), flags=re.S)
    return found.group(0) if found else None


def write_into(path: Path) -> bool:
    """Replace the copy in ``path`` with the table as MOVES says it now; False if it was already so."""
    text, now = path.read_text(), markdown()
    old = written_in(path)
    if old is None:
        raise ValueError(f"{path} has no procedure table: put the two marker lines where it goes:\n{BEGIN}\n{END}")
    if old == now:
        return False
    path.write_text(text.replace(old, now))
    return True
