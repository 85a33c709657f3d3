"""The plug meter: mains voltage with noise, and values rounded as a real meter reports them."""

from __future__ import annotations

import random
from dataclasses import dataclass

MAINS_TOLERANCE = 0.01  # the voltage stays within ±1 % of nominal
_DRIFT_KEEP = 0.9  # how much of the previous deviation carries over to the next reading
_DRIFT_STEP = 0.002  # relative standard deviation of each new deviation


@dataclass(frozen=True)
class Reading:
    """One measurement: V to 1 decimal, W to 2, and A = W / V to 3."""

    voltage: float
    current: float
    power: float


class Meter:
    """Measures an appliance on mains of `nominal_v`; the voltage wanders slowly around it."""

    def __init__(self, nominal_v: float, rng: random.Random) -> None:
        self.nominal_v = nominal_v
        self._rng = rng
        self._deviation = 0.0

    def measure(self, power_w: float) -> Reading:
        """The reading for an appliance drawing `power_w`; a draw above 0 never rounds to 0."""
        step = self._rng.gauss(0.0, _DRIFT_STEP)
        deviation = _DRIFT_KEEP * self._deviation + step
        self._deviation = min(max(deviation, -MAINS_TOLERANCE), MAINS_TOLERANCE)
        voltage = round(self.nominal_v * (1.0 + self._deviation), 1)
        power = round(max(power_w, 0.0), 2)
        if power_w > 0 and power == 0:
            power = 0.01
        return Reading(voltage, round(power / voltage, 3), power)
