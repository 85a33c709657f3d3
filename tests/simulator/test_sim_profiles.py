"""Appliance profiles, the meter and the simulated device, without any network."""

from __future__ import annotations

import itertools
import random

import pytest

from simulator.device import DeviceSpec, SimulatedDevice
from simulator.http_client import DEFAULT_INTERVAL_S
from simulator.meter import Meter
from simulator.profiles import DEFAULT_SPEED, MINUTE, PROFILES, Appliance, State

DEMO_STEP_S = DEFAULT_INTERVAL_S * DEFAULT_SPEED  # simulated seconds between demo readings
DEMO_READINGS = int(20 / DEFAULT_INTERVAL_S)  # readings in the first 20 s of a demo


def run(name: str, seed: int, steps: int, step_s: float) -> list[tuple[State, float]]:
    appliance = Appliance(PROFILES[name], random.Random(seed))
    samples = []
    for _ in range(steps):
        samples.append((appliance.state, appliance.power()))
        appliance.advance(step_s)
    return samples


def within(value: float, bounds: tuple[float, float], noise: float) -> bool:
    return bounds[0] * (1 - 3 * noise) <= value <= bounds[1] * (1 + 3 * noise)


# Appliances that are not low within a demo's first seconds: always on, or idle for hours first.
NOT_LOW_AT_FIRST = {"lamp", "router", "washer", "laser"}


@pytest.mark.parametrize("name", [name for name in PROFILES if name not in NOT_LOW_AT_FIRST])
def test_a_demo_goes_low_within_20_seconds(name: str) -> None:
    for seed in range(25):
        states = [state for state, _ in run(name, seed, DEMO_READINGS, DEMO_STEP_S)]
        assert {"standby", "resting"} & set(states), f"{name}, seed {seed}: {states}"


def test_tv_is_watched_first_then_draws_0_5_to_3_w_in_standby() -> None:
    tv = PROFILES["tv"]
    samples = run("tv", 3, DEMO_READINGS, DEMO_STEP_S)
    assert samples[0][0] == "active"
    assert within(samples[0][1], tv.active_w, tv.noise)
    standby = [power for state, power in samples if state == "standby"]
    assert standby
    assert all(within(power, (0.5, 3), tv.noise) for power in standby)


def test_lamp_is_on_at_9_w_then_truly_off() -> None:
    samples = run("lamp", 1, DEMO_READINGS, DEMO_STEP_S)
    assert samples[0][0] == "active"
    assert 8.5 * 0.97 <= samples[0][1] <= 9.5 * 1.03
    assert ("off", 0.0) in samples
    assert all(state != "standby" for state, _ in samples)


def test_charger_tapers_from_charging_to_no_load() -> None:
    samples = run("charger", 5, 40, 30.0)
    charging = [power for state, power in samples if state == "active"]
    no_load = [power for state, power in samples if state == "standby"]
    assert 5 * 0.9 <= charging[0] <= 10 * 1.1
    assert charging[-1] < charging[0] / 2
    assert no_load
    assert all(0.1 * 0.9 <= power <= 0.5 * 1.1 for power in no_load)


def phase_lengths(samples: list[tuple[State, float]], state: State) -> list[int]:
    """Lengths (in samples) of the complete runs of `state` (not the first or last run)."""
    lengths, length = [], 0
    for (previous, _), (current, _) in itertools.pairwise(samples):
        if current == state:
            length += 1
        elif previous == state and length:
            lengths.append(length)
        if current != state:
            length = 0
    return lengths[1:]


@pytest.mark.parametrize(("name", "rest_min"), [("fridge", (15, 40)), ("freezer", (35, 60))])
def test_compressor_rests_on_a_steady_rhythm_of_its_own(name: str, rest_min) -> None:
    profile = PROFILES[name]
    for seed in range(5):
        samples = run(name, seed, 24 * 60, MINUTE)  # a day, a sample a minute
        rests = phase_lengths(samples, "resting")
        assert len(rests) >= 10
        assert rest_min[0] * 0.9 - 1 <= min(rests) and max(rests) <= rest_min[1] * 1.1 + 1
        assert max(rests) <= min(rests) * 1.25 + 2  # one appliance: ±10 % around its own length
        assert all(state in ("active", "resting") for state, _ in samples)
        low = [power for state, power in samples if state == "resting"]
        assert all(0 < power <= profile.standby_w[1] * 1.2 for power in low)


def test_washer_programme_soaks_between_drum_phases_then_shows_its_display() -> None:
    for seed in range(5):
        samples = run("washer", seed, 4 * 24 * 60, MINUTE)
        states = [state for state, _ in samples]
        assert "resting" in states and "standby" in states and "off" in states
        assert all(length <= 56 for length in phase_lengths(samples, "resting"))
        for before, after in itertools.pairwise(states):
            if after == "resting":
                assert before in ("active", "resting")  # a soak always follows a drum phase
        assert max(power for _, power in samples) > 1500  # it heats


def test_router_draws_a_constant_8_w() -> None:
    samples = run("router", 2, 2000, MINUTE)
    assert {state for state, _ in samples} == {"active"}
    assert max(p for _, p in samples) <= min(p for _, p in samples) * 1.15
    assert 7 * 0.94 <= samples[0][1] <= 9 * 1.06


def test_noisy_standby_crosses_5_w_but_stays_below_the_hysteresis_exit() -> None:
    standby = [p for s, p in run("noisy", 4, 3000, MINUTE) if s == "standby"]
    assert max(standby) > 5.0 > min(standby)
    assert max(standby) < 5.5


def test_pc_sleeps_and_wakes() -> None:
    samples = run("pc", 3, 7 * 24 * 60, MINUTE)
    assert 1 * 0.85 <= min(p for s, p in samples if s == "standby") <= 3 * 1.15
    assert len(phase_lengths(samples, "standby")) >= 5


def test_same_seed_same_readings_and_another_seed_others() -> None:
    spec = DeviceSpec("token", "port-1", "fridge")

    def readings(seed: int) -> list[object]:
        device = SimulatedDevice(spec, step_s=DEMO_STEP_S, seed=seed)
        return [device.next_reading() for _ in range(50)]

    assert readings(42) == readings(42)
    assert readings(42) != readings(43)


@pytest.mark.parametrize("mains_v", [230.0, 120.0])
@pytest.mark.parametrize("name", list(PROFILES))
def test_current_is_power_over_voltage_on_mains_within_1_percent(name: str, mains_v: float) -> None:
    device = SimulatedDevice(
        DeviceSpec("token", "port", name), step_s=DEMO_STEP_S, mains_v=mains_v, seed=9
    )
    for _ in range(200):
        reading = device.next_reading()
        assert abs(reading.voltage - mains_v) <= mains_v * 0.01 + 0.05
        assert reading.power >= 0
        assert reading.current == pytest.approx(reading.power / reading.voltage, abs=0.00051)
        assert reading.voltage == round(reading.voltage, 1)
        assert reading.current == round(reading.current, 3)
        assert reading.power == round(reading.power, 2)


def test_an_open_relay_reports_the_voltage_and_no_power() -> None:
    device = SimulatedDevice(DeviceSpec("token", "port", "tv"), step_s=DEMO_STEP_S, seed=1)
    device.relay_closed = False
    reading = device.next_reading()
    assert (reading.current, reading.power) == (0.0, 0.0)
    assert reading.voltage > 220


def test_a_tiny_standby_never_rounds_to_off() -> None:
    assert Meter(230.0, random.Random(0)).measure(0.004).power == 0.01
    assert Meter(230.0, random.Random(0)).measure(0.0).power == 0.0


def test_a_device_spec_rejects_an_unknown_profile() -> None:
    with pytest.raises(ValueError, match="unknown profile 'toaster'"):
        DeviceSpec("token", "port", "toaster")
