"""Appliance loads behind an emulated meter: realistic power, current and grid values over time.

Inline and simple on purpose (the HTTP simulator's profiles may replace them later): each load
has an active phase of `active_s` seconds after start, then its standby, idle or off level, with
a little noise; a relay that is off draws nothing.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

NOMINAL_V = 230.0
NOMINAL_HZ = 50.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One instant on one phase or channel."""

    voltage: float
    current: float
    power: float
    power_factor: float
    frequency: float


@dataclass(frozen=True, slots=True)
class Kind:
    """An appliance: active level and power factor, then its standby level and power factor."""

    active_w: tuple[float, float]
    active_pf: float
    rest_w: tuple[float, float]
    rest_pf: float
    cycle: bool = False  # alternates active and rest (a fridge's compressor)


KINDS: dict[str, Kind] = {
    "tv": Kind((80, 95), 0.95, (1.2, 1.8), 0.35),  # on for a while, then standby
    "router": Kind((6, 8), 0.6, (6, 8), 0.6),  # always the same: standby-like, never cut
    "charger": Kind((4.5, 5.5), 0.55, (0.2, 0.4), 0.2),  # charging, then no-load draw
    "fridge": Kind((80, 110), 0.8, (1.0, 2.0), 0.4, cycle=True),
    "lamp": Kind((8, 10), 0.9, (0.0, 0.0), 1.0),  # on, then switched off
}
DEFAULT_KINDS = ("tv", "router", "charger", "fridge", "lamp")


class Grid:
    """Mains voltage and frequency wandering slowly, shared by all loads of one meter."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._phase = rng.uniform(0, math.tau)

    def voltage(self, t: float) -> float:
        return NOMINAL_V + 3.0 * math.sin(t / 40 + self._phase) + self._rng.gauss(0, 0.3)

    def frequency(self, t: float) -> float:
        return NOMINAL_HZ + 0.03 * math.sin(t / 25 + self._phase) + self._rng.gauss(0, 0.005)


class Load:
    """One appliance with its own levels, drawn once from its kind's ranges."""

    def __init__(self, kind: str, rng: random.Random, active_s: float) -> None:
        self.kind = kind
        self._spec = KINDS[kind]
        self._rng = rng
        self._active_s = active_s
        self._active_w = rng.uniform(*self._spec.active_w)
        self._rest_w = rng.uniform(*self._spec.rest_w)
        self.relay_on = True
        self.energy_wh = 0.0
        self._last_t: float | None = None

    def _active(self, t: float) -> bool:
        if not self._spec.cycle:
            return t < self._active_s
        return (t // max(self._active_s, 1e-3)) % 3 == 0  # active one period in three

    def sample(self, t: float, voltage: float, frequency: float) -> Sample:
        """The load at `t` seconds after the meter started; accumulates energy."""
        if not self.relay_on:
            power, pf = 0.0, 1.0
        elif self._active(t):
            power, pf = self._active_w, self._spec.active_pf
        else:
            power, pf = self._rest_w, self._spec.rest_pf
        if power > 0:
            power = max(0.05, power * (1 + self._rng.gauss(0, 0.02)))
        current = power / (voltage * pf) if power > 0 else 0.0
        if self._last_t is not None:
            self.energy_wh += power * max(0.0, t - self._last_t) / 3600
        self._last_t = t
        return Sample(voltage, current, power, pf, frequency)


def make_loads(
    count: int, kinds: list[str] | None, rng: random.Random, active_s: float
) -> list[Load]:
    """`count` loads of the given kinds (cycled), or of a default mix."""
    chosen = kinds or list(DEFAULT_KINDS)
    unknown = sorted(set(chosen) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown load(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    return [Load(chosen[i % len(chosen)], rng, active_s) for i in range(count)]
