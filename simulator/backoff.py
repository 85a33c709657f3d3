"""Delays between retries of a reading the app could not take: exponential, capped, jittered."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """`first_s`, doubling up to `cap_s`; each delay is scaled by a random factor 1 ± `jitter`.

    The jitter keeps many devices that lost the app at the same moment from retrying in step.
    """

    first_s: float = 0.5
    cap_s: float = 10.0
    jitter: float = 0.2

    def delays(self, rng: random.Random) -> Iterator[float]:
        """The endless sequence of delays for one reading."""
        base = self.first_s
        while True:
            yield base * rng.uniform(1.0 - self.jitter, 1.0 + self.jitter)
            base = min(base * 2.0, self.cap_s)
