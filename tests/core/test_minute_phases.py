"""A rhythm learned from 1-minute summaries matches the one learned from the raw readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from phantom_desktop.core.minute_phases import readings_from_minutes
from phantom_desktop.core.rhythm import Pattern, RhythmTracker

T0 = datetime(2026, 3, 2, tzinfo=UTC)
STEP_S = 2


@dataclass(frozen=True)
class Minute:
    start: datetime
    n: int
    min_w: float
    max_w: float
    mean_w: float
    standby_s: float


def readings(segments: list[tuple[float, float]]) -> list[tuple[datetime, float]]:
    out, t = [], 0
    for seconds, watts in segments:
        for _ in range(int(seconds // STEP_S)):
            out.append((T0 + timedelta(seconds=t), watts))
            t += STEP_S
    return out


def minutes(raw: list[tuple[datetime, float]], threshold_w: float) -> list[Minute]:
    """What the 1-minute rollups hold for these readings."""
    buckets: dict[datetime, list[float]] = {}
    for ts, power in raw:
        buckets.setdefault(ts.replace(second=0, microsecond=0), []).append(power)
    return [
        Minute(start, len(p), min(p), max(p), sum(p) / len(p),
               STEP_S * sum(1 for w in p if 0 < w < threshold_w))
        for start, p in sorted(buckets.items())
    ]  # fmt: skip


def learned(feed: list[tuple[datetime, float]]) -> RhythmTracker:
    tracker = RhythmTracker(5.0, 5.5)
    tracker.learn(feed)
    return tracker


@pytest.mark.parametrize(
    ("segments", "pattern"),
    [
        # a fridge: 11.5 min runs, 29.25 min rests (phase edges inside minutes)
        ([(690, 95.0), (1755, 1.5)] * 12, Pattern.CYCLING),
        # two washes: off, programme with soaks of 41.5 and 23.25 min, display left on, off
        (
            [(5 * 3600, 0.0), (190, 150.0), (900, 2000.0), (484, 200.0), (2490, 2.0),
             (610, 250.0), (1395, 2.0), (730, 180.0), (3600, 1.8), (1800, 0.0)] * 2,
            Pattern.PROGRAMME,
        ),
    ],
)  # fmt: skip
def test_minutes_teach_the_same_rhythm_as_the_readings(segments, pattern):
    raw = readings(segments)
    from_raw = learned(raw)
    from_minutes = learned(list(readings_from_minutes(minutes(raw, 5.0), 5.0)))
    assert from_raw.rhythm.pattern is from_minutes.rhythm.pattern is pattern
    assert from_minutes.rhythm.hold_s == pytest.approx(from_raw.rhythm.hold_s, abs=2 * STEP_S)


def test_off_minutes_and_empty_minutes():
    off = Minute(T0, 30, 0.0, 0.0, 0.0, 0.0)
    empty = Minute(T0 + timedelta(minutes=1), 0, 0.0, 0.0, 0.0, 0.0)
    assert list(readings_from_minutes([off, empty], 5.0)) == [(T0, 0.0)]
