"""The building blocks of appliance profiles: phases of one state, and the profile itself."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

# What the appliance is doing, as a label for evaluating detection:
# "resting" is a low phase inside a cycle or programme (a fridge between compressor runs, a
# washing machine soaking): low power, but not standby.
State = Literal["active", "standby", "resting", "off"]

MINUTE = 60.0
HOUR = 3600.0


@dataclass(frozen=True)
class Phase:
    """A stretch of time in one state; power moves linearly from `start_w` to `end_w`."""

    state: State
    duration_s: float
    start_w: float
    end_w: float | None = None

    def level_at(self, elapsed_s: float) -> float:
        """The noiseless power `elapsed_s` seconds into the phase."""
        if self.end_w is None:
            return self.start_w
        progress = min(max(elapsed_s / self.duration_s, 0.0), 1.0)
        return self.start_w + (self.end_w - self.start_w) * progress


Pattern = Callable[["Profile", random.Random], Iterator[Phase]]


@dataclass(frozen=True)
class Profile:
    """A kind of appliance: its levels (W, drawn per appliance from these ranges) and habits."""

    name: str
    description: str
    active_w: tuple[float, float]
    standby_w: tuple[float, float]
    noise: float  # relative standard deviation of the power around its level
    pattern: Pattern

    def phases(self, rng: random.Random) -> Iterator[Phase]:
        """The endless usage pattern of one appliance of this kind."""
        return self.pattern(self, rng)


def pick(rng: random.Random, bounds: tuple[float, float]) -> float:
    """One appliance's level within a profile's range."""
    return rng.uniform(*bounds)


def jitter(rng: random.Random, value: float, spread: float) -> float:
    """`value` varied by up to ±`spread` (relative): one cycle of a steady rhythm."""
    return value * rng.uniform(1.0 - spread, 1.0 + spread)
