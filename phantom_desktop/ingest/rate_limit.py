"""Per-token rate limit on readings: a token bucket per device token (sustained rate + burst).

Each token may store `rate_per_s` readings per second on average and up to `burst` at once (a
device catching up on buffered readings). A submission that would overdraw its bucket is refused
whole, with the seconds until it would fit (for `Retry-After`), so one flooding device cannot
starve the others. Buckets of tokens not seen for a while are forgotten (bounded memory, even
when a client invents a new token per request).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_BUCKETS = 10_000


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Readings per second per token, sustained, and the largest burst; rate 0 = no limit."""

    rate_per_s: float = 200.0
    burst: int = 2000

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate_per_s) and self.rate_per_s >= 0):
            raise ValueError("the rate limit must be a number of readings per second, >= 0")
        if self.burst < 1:
            raise ValueError("the burst must be at least 1 reading")

    @property
    def enabled(self) -> bool:
        return self.rate_per_s > 0


class TokenBuckets:
    """The buckets of all tokens; not thread-safe (used on the HTTP server's loop)."""

    def __init__(
        self,
        limit: RateLimit,
        clock: Callable[[], float] = time.monotonic,
        max_buckets: int = MAX_BUCKETS,
    ) -> None:
        self._limit = limit
        self._clock = clock
        self._max_buckets = max_buckets
        # key: (level, t), least recently used first (a dict keeps insertion order)
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, count: int) -> float:
        """Spend `count` readings of `key`'s bucket: 0.0 when allowed, else seconds to wait."""
        limit = self._limit
        if not limit.enabled:
            return 0.0
        now = self._clock()
        level, then = self._buckets.pop(key, (float(limit.burst), now))
        level = min(float(limit.burst), level + (now - then) * limit.rate_per_s)
        wait = 0.0
        if count <= level:
            level -= count
        else:
            wait = (min(count, limit.burst) - level) / limit.rate_per_s
        self._buckets[key] = (level, now)
        if len(self._buckets) > self._max_buckets:
            del self._buckets[next(iter(self._buckets))]
        return wait
