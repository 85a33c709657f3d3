"""The token buckets: sustained rate, burst, refill, and bounded memory."""

from __future__ import annotations

from phantom_desktop.ingest.rate_limit import RateLimit, TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_sustained_rate():
    clock = Clock()
    buckets = TokenBuckets(RateLimit(rate_per_s=10, burst=50), clock)
    assert buckets.take("a", 50) == 0.0
    assert buckets.take("a", 5) == 0.5  # 5 readings at 10/s
    clock.now += 0.5
    assert buckets.take("a", 5) == 0.0
    assert buckets.take("b", 50) == 0.0  # another token has its own bucket


def test_batch_larger_than_the_burst_waits_for_a_full_bucket():
    clock = Clock()
    buckets = TokenBuckets(RateLimit(rate_per_s=100, burst=200), clock)
    assert buckets.take("a", 150) == 0.0
    assert buckets.take("a", 1000) == 1.5  # until the bucket is full again


def test_zero_rate_means_no_limit_and_old_buckets_are_forgotten():
    assert TokenBuckets(RateLimit(rate_per_s=0, burst=1)).take("a", 10**6) == 0.0
    clock = Clock()
    buckets = TokenBuckets(RateLimit(rate_per_s=1, burst=1), clock, max_buckets=2)
    for key in ("a", "b", "c"):
        assert buckets.take(key, 1) == 0.0
    assert buckets.take("a", 1) == 0.0  # "a" was evicted: a fresh, full bucket
    assert buckets.take("c", 1) > 0
