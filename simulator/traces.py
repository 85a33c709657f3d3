"""Labelled traces: an appliance's readings with device timestamps and what it was doing.

Used to evaluate detection (each reading says whether the appliance was in standby, active,
resting inside a cycle or off) and to give a demo a past. `speed` compresses the appliance's
day as the live simulator does: with `interval_s=1, speed=60` one reading a second covers a
minute of the appliance's life.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulator.meter import Meter
from simulator.phases import State
from simulator.profiles import PROFILES, Appliance


@dataclass(frozen=True, slots=True)
class LabelledReading:
    timestamp: datetime
    voltage: float
    current: float
    power: float
    label: State


@dataclass(frozen=True, slots=True)
class Gaps:
    """Silences in the data: on average one every `every_s`, each `min_s` to `max_s` long."""

    every_s: float
    min_s: float = 120.0
    max_s: float = 1200.0


def labelled_trace(
    profile: str,
    seed: object,
    start: datetime,
    interval_s: float,
    count: int,
    *,
    speed: float = 1.0,
    gaps: Gaps | None = None,
    mains_v: float = 230.0,
    key: str | None = None,
) -> Iterator[LabelledReading]:
    """`count` reading times from `start`, one every `interval_s`; silent ones are skipped.

    The appliance is the one `SimulatedDevice` makes from the same `seed` when `key` is its
    port id (default key: the profile name).
    """
    rng = random.Random(f"{seed}:{key or profile}")
    appliance = Appliance(PROFILES[profile], rng)
    meter = Meter(mains_v, rng)
    silence = random.Random(f"{seed}:{key or profile}:gaps")
    silent_until = -1.0
    for index in range(count):
        t = index * interval_s
        if gaps is not None and t >= silent_until and silence.random() < interval_s / gaps.every_s:
            silent_until = t + silence.uniform(gaps.min_s, gaps.max_s)
        if t >= silent_until:
            reading = meter.measure(appliance.power())
            yield LabelledReading(
                start + timedelta(seconds=t),
                reading.voltage,
                reading.current,
                reading.power,
                appliance.state,
            )
        appliance.advance(interval_s * speed)
