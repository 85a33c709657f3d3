"""A simulated device: an appliance on a metered plug whose relay the app can open."""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulator.meter import Meter, Reading
from simulator.profiles import PROFILES, Appliance


@dataclass(frozen=True)
class DeviceSpec:
    """Which port a device feeds, with which token, and what appliance is plugged in."""

    token: str
    port_id: str
    profile: str = "tv"
    label: str = ""

    def __post_init__(self) -> None:
        if not self.token.strip():
            raise ValueError("the device token must not be empty")
        if not self.port_id.strip():
            raise ValueError("the port id must not be empty")
        if self.profile not in PROFILES:
            known = ", ".join(PROFILES)
            raise ValueError(f"unknown profile {self.profile!r} (known: {known})")

    @property
    def display_label(self) -> str:
        """`label`, or the profile and the start of the port id (e.g. `tv@3f2a9c1e`)."""
        if self.label:
            return self.label
        port = self.port_id if len(self.port_id) <= 12 else self.port_id[:8]
        return f"{self.profile}@{port}"


class SimulatedDevice:
    """Produces one reading per step; reports 0 W while the app keeps its port off.

    With a `seed`, the same spec (its label, or else its port id) always produces the same
    readings (given the same answers from the app). Each reading advances the appliance by
    `step_s` simulated seconds.
    """

    def __init__(
        self, spec: DeviceSpec, *, step_s: float, mains_v: float = 230.0, seed: int | None = None
    ) -> None:
        key = spec.label or spec.port_id  # a label keeps the appliance across new port ids
        rng = random.Random(f"{seed}:{key}") if seed is not None else random.Random()
        self.spec = spec
        self.step_s = step_s
        self.appliance = Appliance(PROFILES[spec.profile], rng)
        self.meter = Meter(mains_v, rng)
        self.relay_closed = True

    def next_reading(self) -> Reading:
        """Measure now, then let simulated time move on by one step."""
        draw = self.appliance.power() if self.relay_closed else 0.0
        reading = self.meter.measure(draw)
        self.appliance.advance(self.step_s)
        return reading
