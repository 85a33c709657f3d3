"""Fixed-size history of (time, value) pairs where any recent window is one contiguous slice.

Friture's trick: the storage is twice the capacity and every value is written at `i` and at
`i + capacity`, so the last `n` values always sit side by side and are returned without a copy.
"""

from __future__ import annotations

import numpy as np


class RingBuffer:
    """The last `capacity` samples of one series; `last_id` remembers the newest stored id."""

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self._capacity = capacity
        self._times = np.zeros(2 * capacity)
        self._values = np.zeros(2 * capacity)
        self._head = 0  # where the next sample goes, in [0, capacity)
        self._count = 0
        self.last_id = 0

    def __len__(self) -> int:
        return self._count

    @property
    def capacity(self) -> int:
        return self._capacity

    def extend(self, times: np.ndarray, values: np.ndarray) -> None:
        """Append samples (oldest first); only the last `capacity` of them are kept."""
        cap = self._capacity
        times = np.asarray(times, dtype=float)[-cap:]
        values = np.asarray(values, dtype=float)[-cap:]
        n = len(times)
        if n != len(values):
            raise ValueError("times and values differ in length")
        first = min(n, cap - self._head)
        rest = n - first
        for store, src in ((self._times, times), (self._values, values)):
            head = self._head
            store[head : head + first] = src[:first]
            store[head + cap : head + cap + first] = src[:first]
            if rest:
                store[:rest] = src[first:]
                store[cap : cap + rest] = src[first:]
        self._head = (self._head + n) % cap
        self._count = min(self._count + n, cap)

    def latest(self, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Views of the last `n` (default: all) samples, oldest first."""
        n = self._count if n is None else max(0, min(n, self._count))
        end = self._head + self._capacity
        return self._times[end - n : end], self._values[end - n : end]

    def since(self, start: float) -> tuple[np.ndarray, np.ndarray]:
        """Views of the samples whose time is at or after `start` (times assumed ascending)."""
        times, values = self.latest()
        first = int(np.searchsorted(times, start, side="left"))
        return times[first:], values[first:]
