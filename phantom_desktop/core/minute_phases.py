"""Stand-in readings from 1-minute summaries, so a port's rhythm can be learned from rollups.

A week of raw readings at one every 2 s is 300,000 rows per port: too many to read when the
writer starts. Its 1-minute rollups are 10,000, and they keep what a `RhythmTracker` needs:
whether each minute was off, low or high, and how many of its seconds were low. A minute that
was partly low and partly high becomes two readings, ordered by the minute before it (after a
low minute the low part comes first), so phase lengths come out to the second.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Protocol

MINUTE_S = 60.0


class MinuteSummary(Protocol):
    """What a 1-minute rollup row holds (`store.rollup_queries.MinuteStat` has these)."""

    @property
    def start(self) -> datetime: ...
    @property
    def n(self) -> int: ...
    @property
    def min_w(self) -> float: ...
    @property
    def max_w(self) -> float: ...
    @property
    def mean_w(self) -> float: ...
    @property
    def standby_s(self) -> float: ...


def readings_from_minutes(
    minutes: Iterable[MinuteSummary], threshold_w: float
) -> Iterator[tuple[datetime, float]]:
    """(timestamp, power) readings that split into the same phases as the minutes did."""
    low_before = False
    for minute in minutes:
        if minute.n <= 0:
            continue
        if minute.max_w <= 0.0:
            yield minute.start, 0.0
            low_before = False
        elif minute.max_w < threshold_w:
            yield minute.start, minute.mean_w
            low_before = True
        elif minute.standby_s <= 0.0 or minute.min_w <= 0.0:
            yield minute.start, minute.max_w
            low_before = False
        else:
            low_s = min(minute.standby_s, MINUTE_S)
            if low_before:
                yield minute.start, minute.min_w
                yield minute.start + timedelta(seconds=low_s), minute.max_w
            else:
                yield minute.start, minute.max_w
                yield minute.start + timedelta(seconds=MINUTE_S - low_s), minute.min_w
            low_before = not low_before
