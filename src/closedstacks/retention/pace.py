"""How many keys a run's next batch spans, so that no batch holds its locks in the library system for long.

A batch's locks last from its first change to its commit, and that time
grows with the rows it changes — and with how busy the library system is:
a table that no longer fits the database's memory, another job on the same
disk. A fixed batch size is either too small on a quiet system (the run
takes longer) or too large on a busy one (the desk waits). So the size
follows what was measured, as Percona's pt-online-schema-change sizes its
chunks by ``--chunk-time``: the next batch spans as many keys as the last
batches changed in ``TARGET_S`` seconds of lock, never more than the size
asked for and never fewer than ``SMALLEST``. A slow batch shrinks the next
at once; fast batches grow it back a quarter of the way at a time.
"""

from __future__ import annotations

TARGET_S = 0.25  # a quarter of the one second a batch may hold its locks: room for the odd slow commit
SMALLEST = 100


class Pace:
    """The key span of the next batch, from the lock time of the batches before it."""

    def __init__(self, largest: int, *, target_s: float = TARGET_S):
        self.largest = max(1, largest)
        self.smallest = min(SMALLEST, self.largest)
        self.target_s = target_s
        self.size = self.largest
        self.rate: float | None = None  # keys per second of lock, smoothed

    def measured(self, keys: int, locked_s: float) -> None:
        """A batch spanning ``keys`` keys held its locks ``locked_s`` seconds."""
        if keys <= 0 or locked_s <= 0:
            return
        rate = keys / locked_s
        if self.rate is None or rate < self.rate:
            self.rate = rate  # slower: believe it at once
        else:
            self.rate += (rate - self.rate) / 4  # faster: grow back gradually
        self.size = max(self.smallest, min(self.largest, int(self.rate * self.target_s)))
