"""Appliance profiles: how much power an appliance draws, and when, in simulated time.

Each profile has an active level, a standby level, a relative noise and a usage pattern: an
endless sequence of phases drawn from a seeded `random.Random`, so that one seed always gives
the same appliance. Patterns open with a short first phase, so that at the default time
compression (`DEFAULT_SPEED`) a demo reaches standby within the first ~20 seconds.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from simulator.cycling_profiles import CYCLING_PROFILES
from simulator.phases import HOUR, MINUTE, Phase, Profile, State, pick

__all__ = ["DEFAULT_SPEED", "HOUR", "MINUTE", "PROFILES", "Appliance", "Phase", "Profile", "State"]

# Simulated seconds per wall-clock second: one wall second is one minute of the appliance's day.
DEFAULT_SPEED = 60.0


def _tv(p: Profile, rng: random.Random) -> Iterator[Phase]:
    standby = pick(rng, p.standby_w)
    yield Phase("active", rng.uniform(6, 12) * MINUTE, pick(rng, p.active_w))
    while True:
        yield Phase("standby", rng.uniform(1, 4) * HOUR, standby)
        yield Phase("active", rng.uniform(1, 3) * HOUR, pick(rng, p.active_w))


def _charger(p: Profile, rng: random.Random) -> Iterator[Phase]:
    no_load = pick(rng, p.standby_w)
    first = True
    while True:
        peak = pick(rng, p.active_w)
        bulk_s = rng.uniform(4, 6) * MINUTE if first else rng.uniform(30, 60) * MINUTE
        taper_s = rng.uniform(4, 6) * MINUTE if first else rng.uniform(20, 40) * MINUTE
        yield Phase("active", bulk_s, peak, peak * 0.8)
        yield Phase("active", taper_s, peak * 0.8, max(1.0, peak * 0.15))
        yield Phase("standby", rng.uniform(2, 8) * HOUR, no_load)
        first = False


def _lamp(p: Profile, rng: random.Random) -> Iterator[Phase]:
    yield Phase("active", rng.uniform(5, 10) * MINUTE, pick(rng, p.active_w))
    while True:
        yield Phase("off", rng.uniform(2, 8) * HOUR, 0.0)
        yield Phase("active", rng.uniform(1, 4) * HOUR, pick(rng, p.active_w))


def _printer(p: Profile, rng: random.Random) -> Iterator[Phase]:
    sleep = pick(rng, p.standby_w)
    yield Phase("active", rng.uniform(1, 3) * MINUTE, pick(rng, p.active_w))
    while True:
        yield Phase("standby", rng.uniform(0.5, 3) * HOUR, sleep)
        yield Phase("active", rng.uniform(1, 5) * MINUTE, pick(rng, p.active_w))


def _set_top_box(p: Profile, rng: random.Random) -> Iterator[Phase]:
    standby = pick(rng, p.standby_w)
    while True:
        yield Phase("standby", rng.uniform(2, 6) * HOUR, standby)
        yield Phase("active", rng.uniform(1, 3) * HOUR, pick(rng, p.active_w))


def _console(p: Profile, rng: random.Random) -> Iterator[Phase]:
    rest = pick(rng, p.standby_w)
    yield Phase("active", rng.uniform(5, 10) * MINUTE, pick(rng, p.active_w))
    while True:
        yield Phase("standby", rng.uniform(3, 10) * HOUR, rest)
        yield Phase("active", rng.uniform(1, 3) * HOUR, pick(rng, p.active_w))


def _microwave(p: Profile, rng: random.Random) -> Iterator[Phase]:
    clock = pick(rng, p.standby_w)
    while True:
        yield Phase("standby", rng.uniform(1, 5) * HOUR, clock)
        yield Phase("active", rng.uniform(1, 5) * MINUTE, pick(rng, p.active_w))


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            name="tv",
            description="TV: watched at 80-150 W, then standby 0.5-3 W",
            active_w=(80, 150),
            standby_w=(0.5, 3),
            noise=0.05,
            pattern=_tv,
        ),
        Profile(
            name="charger",
            description="phone charger: charges at 5-10 W, tapers, then no-load 0.1-0.5 W",
            active_w=(5, 10),
            standby_w=(0.1, 0.5),
            noise=0.03,
            pattern=_charger,
        ),
        Profile(
            name="lamp",
            description="desk lamp: on ~9 W, truly off 0 W",
            active_w=(8.5, 9.5),
            standby_w=(0, 0),
            noise=0.01,
            pattern=_lamp,
        ),
        Profile(
            name="printer",
            description="printer: prints at 20-30 W, sleeps at 1.5-3 W",
            active_w=(20, 30),
            standby_w=(1.5, 3),
            noise=0.05,
            pattern=_printer,
        ),
        Profile(
            name="settopbox",
            description="set-top box: 12-20 W standby around the clock, 28-40 W in use",
            active_w=(28, 40),
            standby_w=(12, 20),
            noise=0.02,
            pattern=_set_top_box,
        ),
        Profile(
            name="console",
            description="games console: plays at 90-180 W, rest mode 8-15 W",
            active_w=(90, 180),
            standby_w=(8, 15),
            noise=0.06,
            pattern=_console,
        ),
        Profile(
            name="microwave",
            description="microwave: clock 2-4 W, cooks at 900-1250 W for minutes",
            active_w=(900, 1250),
            standby_w=(2, 4),
            noise=0.02,
            pattern=_microwave,
        ),
    )
}
PROFILES.update(CYCLING_PROFILES)


class Appliance:
    """One appliance following its profile as simulated time advances."""

    def __init__(self, profile: Profile, rng: random.Random) -> None:
        self.profile = profile
        self._rng = rng
        self._phases = profile.phases(rng)
        self._phase = next(self._phases)
        self._elapsed_s = 0.0

    @property
    def state(self) -> State:
        """What the appliance is doing now."""
        return self._phase.state

    def power(self) -> float:
        """The power drawn now, with noise; 0 only when the appliance is off."""
        level = self._phase.level_at(self._elapsed_s)
        if self._phase.state == "off" or level <= 0:
            return 0.0
        sigma = self.profile.noise
        factor = 1.0 + min(max(self._rng.gauss(0.0, sigma), -3 * sigma), 3 * sigma)
        return level * factor

    def advance(self, seconds: float) -> None:
        """Move `seconds` of simulated time forward."""
        self._elapsed_s += seconds
        while self._elapsed_s >= self._phase.duration_s:
            self._elapsed_s -= self._phase.duration_s
            self._phase = next(self._phases)
