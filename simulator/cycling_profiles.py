"""Appliances whose low phases are not standby, and the hard cases of standby detection.

A fridge or freezer rests between compressor runs on a steady rhythm; a dehumidifier follows
its humidistat; a washing machine soaks between the phases of a programme. Their low phases
are labelled "resting". The others here are there to be told apart from them: a laser printer
that sleeps after warming up, a PC that sleeps and wakes, a router that never changes, and a
standby level that wobbles around a 5 W threshold.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from simulator.phases import HOUR, MINUTE, Phase, Profile, jitter, pick


def _compressor(
    p: Profile, rng: random.Random, rest_min: tuple[float, float], run_min: tuple[float, float]
) -> Iterator[Phase]:
    """Runs and rests of one appliance's own steady lengths, each varied a little."""
    idle = pick(rng, p.standby_w)
    level = pick(rng, p.active_w)
    rest_s = rng.uniform(*rest_min) * MINUTE
    run_s = rng.uniform(*run_min) * MINUTE
    yield Phase("active", rng.uniform(3, 6) * MINUTE, level)
    while True:
        yield Phase("resting", jitter(rng, rest_s, 0.1), jitter(rng, idle, 0.05))
        yield Phase("active", jitter(rng, run_s, 0.15), jitter(rng, level, 0.03))


def _fridge(p: Profile, rng: random.Random) -> Iterator[Phase]:
    return _compressor(p, rng, (15, 40), (8, 20))


def _freezer(p: Profile, rng: random.Random) -> Iterator[Phase]:
    return _compressor(p, rng, (35, 60), (15, 30))


def _dehumidifier(p: Profile, rng: random.Random) -> Iterator[Phase]:
    """Humidistat cycles for some hours a day; switched off (0 W) in between."""
    idle = pick(rng, p.standby_w)
    level = pick(rng, p.active_w)
    rest_s = rng.uniform(10, 25) * MINUTE
    run_s = rng.uniform(20, 40) * MINUTE
    yield Phase("active", rng.uniform(3, 6) * MINUTE, level)
    while True:
        for _ in range(rng.randint(6, 14)):
            yield Phase("resting", jitter(rng, rest_s, 0.1), jitter(rng, idle, 0.05))
            yield Phase("active", jitter(rng, run_s, 0.15), jitter(rng, level, 0.05))
        yield Phase("off", rng.uniform(2, 8) * HOUR, 0.0)
        yield Phase("active", jitter(rng, run_s, 0.15), jitter(rng, level, 0.05))


def _programme(p: Profile, rng: random.Random, drum: float) -> list[tuple[str, float, float]]:
    """One programme of this machine: its phases (state, minutes, watts), the same every time."""
    display = pick(rng, p.standby_w)
    phases = [("active", rng.uniform(2, 4), drum), ("active", rng.uniform(10, 20), 2000.0)]
    for _ in range(rng.randint(2, 3)):
        phases.append(("active", rng.uniform(5, 12), jitter(rng, drum, 0.2)))
        phases.append(("resting", rng.uniform(5, 55), display))  # soaking
    phases.append(("active", rng.uniform(8, 15), jitter(rng, drum, 0.2)))  # rinsing
    phases.append(("active", rng.uniform(6, 12), rng.uniform(400, 700)))  # spinning
    return phases


def _washer(p: Profile, rng: random.Random) -> Iterator[Phase]:
    """Two programmes of its own (heat, wash, soak up to ~1 h, rinse, spin); display on after."""
    display = pick(rng, p.standby_w)
    drum = pick(rng, p.active_w)
    programmes = [_programme(p, rng, drum) for _ in range(2)]
    while True:
        yield Phase("off", rng.uniform(8, 30) * HOUR, 0.0)
        yield Phase("standby", rng.uniform(10, 40), display)  # choosing a programme
        for state, minutes, watts in rng.choice(programmes):
            level = watts if state == "resting" else jitter(rng, watts, 0.05)
            yield Phase(state, jitter(rng, minutes, 0.01) * MINUTE, level)  # type: ignore[arg-type]
        yield Phase("standby", rng.uniform(0.5, 3) * HOUR, display)  # done, door not opened


def _laser(p: Profile, rng: random.Random) -> Iterator[Phase]:
    """Sleeps at a few watts; a job warms the fuser, prints, then waits ready before sleeping."""
    sleep = pick(rng, p.standby_w)
    ready = rng.uniform(8, 12)
    yield Phase("active", rng.uniform(1, 3) * MINUTE, pick(rng, p.active_w))
    while True:
        yield Phase("active", rng.uniform(10, 20) * MINUTE, ready)
        yield Phase("standby", rng.uniform(0.5, 6) * HOUR, sleep)
        yield Phase("active", rng.uniform(15, 30), rng.uniform(700, 900))  # fuser warm-up
        yield Phase("active", rng.uniform(0.5, 4) * MINUTE, pick(rng, p.active_w))


def _pc(p: Profile, rng: random.Random) -> Iterator[Phase]:
    """Used for hours, then sleeps; wakes now and then for maintenance while asleep."""
    sleep = pick(rng, p.standby_w)
    yield Phase("active", rng.uniform(5, 10) * MINUTE, pick(rng, p.active_w))
    while True:
        for _ in range(rng.randint(0, 3)):
            yield Phase("standby", rng.uniform(2, 5) * HOUR, sleep)
            yield Phase("active", rng.uniform(1, 4) * MINUTE, rng.uniform(30, 50))  # woken
        yield Phase("standby", rng.uniform(1, 5) * HOUR, sleep)
        yield Phase("active", rng.uniform(1, 4) * HOUR, pick(rng, p.active_w))


def _router(p: Profile, rng: random.Random) -> Iterator[Phase]:
    level = pick(rng, p.active_w)
    while True:
        yield Phase("active", 24 * HOUR, level)


def _noisy(p: Profile, rng: random.Random) -> Iterator[Phase]:
    """Standby just under a 5 W threshold, with noise that reaches above it."""
    standby = pick(rng, p.standby_w)
    yield Phase("active", rng.uniform(5, 10) * MINUTE, pick(rng, p.active_w))
    while True:
        yield Phase("standby", rng.uniform(1, 4) * HOUR, standby)
        yield Phase("active", rng.uniform(0.5, 2) * HOUR, pick(rng, p.active_w))


CYCLING_PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            name="fridge",
            description="fridge: compressor 80-120 W for 8-20 min, rests 15-40 min at 1-2 W",
            active_w=(80, 120),
            standby_w=(1, 2),
            noise=0.03,
            pattern=_fridge,
        ),
        Profile(
            name="freezer",
            description="freezer: compressor 60-100 W for 15-30 min, rests 35-60 min at 1-3 W",
            active_w=(60, 100),
            standby_w=(1, 3),
            noise=0.03,
            pattern=_freezer,
        ),
        Profile(
            name="dehumidifier",
            description="dehumidifier: 200-300 W runs, 1-3 W rests on its humidistat, off 0 W",
            active_w=(200, 300),
            standby_w=(1, 3),
            noise=0.03,
            pattern=_dehumidifier,
        ),
        Profile(
            name="washer",
            description="washing machine: 2 kW heating, drum 100-300 W, soaks and display 1-3 W",
            active_w=(100, 300),
            standby_w=(1, 3),
            noise=0.05,
            pattern=_washer,
        ),
        Profile(
            name="laser",
            description="laser printer: prints at 300-500 W, ready at 8-12 W, sleeps at 1-3 W",
            active_w=(300, 500),
            standby_w=(1, 3),
            noise=0.04,
            pattern=_laser,
        ),
        Profile(
            name="pc",
            description="PC: in use 60-150 W, sleeps at 1-3 W and wakes now and then",
            active_w=(60, 150),
            standby_w=(1, 3),
            noise=0.05,
            pattern=_pc,
        ),
        Profile(
            name="router",
            description="router: a constant 7-9 W around the clock",
            active_w=(7, 9),
            standby_w=(0, 0),
            noise=0.02,
            pattern=_router,
        ),
        Profile(
            name="noisy",
            description="appliance whose 4.4-4.8 W standby wobbles around a 5 W threshold",
            active_w=(40, 60),
            standby_w=(4.4, 4.8),
            noise=0.04,
            pattern=_noisy,
        ),
    )
}
