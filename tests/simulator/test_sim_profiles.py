"""Appliance profiles, the meter and the simulated device, without any network."""

from __future__ import annotations

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


@pytest.mark.parametrize("name", [name for name in PROFILES if name != "lamp"])
def test_a_demo_reaches_standby_within_20_seconds(name: str) -> None:
    for seed in range(25):
        states = [state for state, _ in run(name, seed, DEMO_READINGS, DEMO_STEP_S)]
        assert "standby" in states, f"{name}, seed {seed}: {states}"


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


def test_fridge_cycles_its_compressor() -> None:
    fridge = PROFILES["fridge"]
    samples = run("fridge", 7, 12 * 60, MINUTE)  # twelve hours, a sample a minute
    runs, length, lengths = 0, 0, []
    for index, (state, power) in enumerate(samples):
        if state == "active":
            assert within(power, fridge.active_w, fridge.noise)
            runs += index == 0 or samples[index - 1][0] != "active"
            length += 1
        else:
            assert within(power, fridge.standby_w, fridge.noise)
            if length:
                lengths.append(length)
            length = 0
    assert 10 <= runs <= 35  # a cycle of 23 to 60 minutes
    assert all(7 <= minutes <= 21 for minutes in lengths[1:])  # runs of 8-20 minutes


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
