"""Rollup arithmetic: per-bucket statistics and time-weighted energy of one port's readings.

A reading's power holds from its timestamp until the next reading of the same port (a step
function), but at most ``MAX_GAP_S`` seconds: a meter that went silent for a day is not charged
a day of the power it last reported. Energy of each interval goes to the buckets it overlaps,
split at bucket boundaries. Standby is ``0 < power < threshold_w``, off is ``power <= 0``.
A reading older than the port's previous one (late delivery) counts in its bucket's count, min,
max and mean, but adds no energy: the interval it would split has already been accounted.
Hour buckets are the sum of their minute buckets (`fold`), so both resolutions always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from phantom_desktop.core.detection import MAX_GAP_S

MINUTE_S = 60
HOUR_S = 3600


@dataclass(slots=True)
class Delta:
    """What a batch adds to one bucket. min/max are None when no reading falls in it."""

    n: int = 0
    min_w: float | None = None
    max_w: float | None = None
    sum_w: float = 0.0
    wh: float = 0.0
    standby_wh: float = 0.0
    standby_s: float = 0.0
    off_s: float = 0.0

    def add_reading(self, power: float) -> None:
        self.n += 1
        self.sum_w += power
        if self.min_w is None or power < self.min_w:
            self.min_w = power
        if self.max_w is None or power > self.max_w:
            self.max_w = power

    def merge(self, other: Delta) -> None:
        self.n += other.n
        self.sum_w += other.sum_w
        if other.min_w is not None and (self.min_w is None or other.min_w < self.min_w):
            self.min_w = other.min_w
        if other.max_w is not None and (self.max_w is None or other.max_w > self.max_w):
            self.max_w = other.max_w
        self.wh += other.wh
        self.standby_wh += other.standby_wh
        self.standby_s += other.standby_s
        self.off_s += other.off_s


Point = tuple[float, float]  # (UTC epoch seconds, watts)


def add_interval(
    deltas: dict[int, Delta], start: float, end: float, power: float, threshold_w: float
) -> None:
    """Account `power` held over [start, end) into minute buckets, split at their boundaries."""
    standby = 0.0 < power < threshold_w
    off = power <= 0.0
    while start < end:
        bucket = int(start // MINUTE_S) * MINUTE_S
        seg_end = min(end, bucket + MINUTE_S)
        seconds = seg_end - start
        delta = deltas.get(bucket)
        if delta is None:
            delta = deltas[bucket] = Delta()
        wh = power * seconds / 3600.0
        delta.wh += wh
        if standby:
            delta.standby_wh += wh
            delta.standby_s += seconds
        elif off:
            delta.off_s += seconds
        start = seg_end


def minute_deltas(
    previous: Point | None,
    points: Iterable[Point],
    threshold_w: float,
    deltas: dict[int, Delta] | None = None,
) -> tuple[dict[int, Delta], Point | None]:
    """Minute-bucket deltas of one port's new readings, sorted by time, after `previous`,
    added to `deltas` (a new dict when None).

    Returns the deltas and the port's new latest reading (to pass as `previous` next time).
    Runs once per reading in the writer's transaction, hence the inlined statistics.
    """
    if deltas is None:
        deltas = {}
    for t, power in points:
        bucket = int(t // MINUTE_S) * MINUTE_S
        delta = deltas.get(bucket)
        if delta is None:
            delta = deltas[bucket] = Delta(1, power, power, power)
        else:
            delta.add_reading(power)
        if previous is not None:
            prev_t, prev_p = previous
            if t < prev_t:
                continue  # late: stats only
            if t > prev_t:
                add_interval(
                    deltas, prev_t, prev_t + min(t - prev_t, MAX_GAP_S), prev_p, threshold_w
                )
        previous = (t, power)
    return deltas, previous


def fold(deltas: Mapping[int, Delta], width_s: int = HOUR_S) -> dict[int, Delta]:
    """Merge minute deltas into buckets of `width_s` seconds (a multiple of a minute).

    A lone minute folds to itself (the usual batch: one reading per port): it is returned as
    is, under its wider bucket, and must not be changed by the caller."""
    if len(deltas) == 1:
        ((bucket, delta),) = deltas.items()
        return {bucket - bucket % width_s: delta}
    out: dict[int, Delta] = {}
    for bucket, delta in deltas.items():
        key = bucket - bucket % width_s
        target = out.get(key)
        if target is None:
            target = out[key] = Delta()
        target.merge(delta)
    return out
