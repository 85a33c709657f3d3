"""Readings refused for now: resent oldest first after a growing delay, memory bounded."""

from __future__ import annotations

from datetime import UTC, datetime

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest import retry
from phantom_desktop.ingest.retry import RetryQueue

T = datetime(2026, 1, 1, tzinfo=UTC)


def readings(n: int) -> list[ReadingValues]:
    return [ReadingValues("p", 230.0, 0.1, float(i), T) for i in range(n)]


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_refused_readings_come_back_in_order_after_the_delay():
    clock = Clock()
    queue = RetryQueue(clock=clock)
    first, second = queue.number(), queue.number()
    queue.refused(second, readings(2))  # refusals may come back in any order
    queue.refused(first, readings(1))
    assert queue.hold(readings(3))  # newer readings wait behind
    assert len(queue) == 6
    assert queue.take_due() == []  # not before the delay
    clock.now += retry.DELAY_MIN_S
    due = queue.take_due()
    assert [number for number, _ in due] == [first, second, 3]
    assert [len(r) for _, r in due] == [1, 2, 3]
    assert len(queue) == 0 and not queue.hold(readings(1))


def test_each_round_of_refusals_waits_longer_until_a_success():
    clock = Clock()
    queue = RetryQueue(clock=clock)
    queue.refused(queue.number(), readings(1))
    queue.refused(queue.number(), readings(1))  # the same round: no extra delay
    clock.now += retry.DELAY_MIN_S
    assert len(queue.take_due()) == 2
    queue.refused(queue.number(), readings(1))  # the next round waits twice as long
    clock.now += retry.DELAY_MIN_S
    assert queue.take_due() == []
    clock.now += retry.DELAY_MIN_S
    assert len(queue.take_due()) == 1
    queue.succeeded()
    queue.refused(queue.number(), readings(1))
    clock.now += retry.DELAY_MIN_S
    assert len(queue.take_due()) == 1


def test_beyond_the_cap_the_oldest_are_dropped_and_counted():
    queue = RetryQueue(max_readings=5, clock=Clock())
    queue.refused(queue.number(), readings(3))
    queue.refused(queue.number(), readings(3))
    assert len(queue) == 3 and queue.dropped == 3
