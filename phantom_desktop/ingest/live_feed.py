"""Holds committed batches from the writer thread until the window drains them.

This is the hand-off between the writer and the window: the writer never waits for the GUI, and
the GUI receives many readings at once instead of one signal per reading. Bounded, so a window
that is not draining (minimised, busy) cannot make memory grow: the oldest readings are dropped
from the live view only — they are already in the database.
"""

from __future__ import annotations

import threading

from phantom_desktop.ingest.messages import CommittedBatch

MAX_PENDING_READINGS = 200_000


class LiveFeed:
    """Thread-safe accumulator of `CommittedBatch`es; register `publish` as a writer listener."""

    def __init__(self, max_pending: int = MAX_PENDING_READINGS) -> None:
        self._lock = threading.Lock()
        self._pending = CommittedBatch()
        self._max_pending = max_pending
        self.dropped_readings = 0

    def publish(self, batch: CommittedBatch) -> None:
        with self._lock:
            self._pending.extend(batch)
            excess = len(self._pending.readings) - self._max_pending
            if excess > 0:
                del self._pending.readings[:excess]
                self.dropped_readings += excess

    def drain(self) -> CommittedBatch:
        """Everything published since the last drain (possibly empty)."""
        with self._lock:
            batch, self._pending = self._pending, CommittedBatch()
        return batch
