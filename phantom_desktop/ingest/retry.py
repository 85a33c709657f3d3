"""Readings a source must send again: the writer refused them for now (503, 429).

A device on a serial line (or an MQTT plug) cannot be asked to resend, so its source keeps the
refused readings and offers them again with exponential backoff, oldest first; while any wait,
newer readings queue behind them so the writer still sees each port's readings in order. Memory
is bounded: beyond `max_readings` the oldest are dropped (and counted).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import UNAVAILABLE

TOO_MANY = 429
TRANSIENT = frozenset({TOO_MANY, UNAVAILABLE})
MAX_READINGS = 10_000
DELAY_MIN_S = 0.5
DELAY_MAX_S = 10.0


def is_transient(status: int) -> bool:
    """Statuses that mean "not now" rather than "never" (a retry can succeed)."""
    return status in TRANSIENT


class RetryQueue:
    """Refused readings of one source, waiting for their next try. Thread-safe.

    Each submission carries a number from `number()`; waiting readings go out again in that
    order, whatever order their refusals came back in.
    """

    def __init__(
        self,
        max_readings: int = MAX_READINGS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_readings
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting: dict[int, list[ReadingValues]] = {}
        self._numbers = itertools.count(1)
        self._count = 0
        self._delay = DELAY_MIN_S
        self._due = 0.0
        self.dropped = 0

    def __len__(self) -> int:
        """Readings waiting."""
        return self._count

    def number(self) -> int:
        """The next submission's place in the order."""
        return next(self._numbers)

    def refused(self, number: int, readings: list[ReadingValues]) -> None:
        """Keep readings refused for now; the next try waits longer (up to DELAY_MAX_S)."""
        with self._lock:
            self._add(number, readings)
            now = self._clock()
            if now >= self._due:  # the first refusal of a round of tries sets the next one
                self._due = now + self._delay
                self._delay = min(self._delay * 2, DELAY_MAX_S)

    def hold(self, readings: list[ReadingValues]) -> bool:
        """Queue new readings behind waiting ones (True), or False when none wait."""
        with self._lock:
            if not self._waiting:
                return False
            self._add(self.number(), readings)
            return True

    def take_due(self) -> list[tuple[int, list[ReadingValues]]]:
        """Everything waiting, oldest first, once its backoff has passed; else nothing."""
        with self._lock:
            if not self._waiting or self._clock() < self._due:
                return []
            due = sorted(self._waiting.items())
            self._waiting.clear()
            self._count = 0
            return due

    def succeeded(self) -> None:
        """The writer took readings again: the next refusal starts from the shortest delay."""
        with self._lock:
            self._delay = DELAY_MIN_S

    def _add(self, number: int, readings: list[ReadingValues]) -> None:
        self._waiting[number] = readings
        self._count += len(readings)
        while self._count > self._max:
            oldest = self._waiting.pop(min(self._waiting))
            self._count -= len(oldest)
            self.dropped += len(oldest)
