"""The always-on floor: the level each minute held, then a low percentile of those levels."""

from __future__ import annotations

import numpy as np
import pytest

from phantom_desktop.core.baseline import always_on_w, minute_floors


def floor_of(*minutes: tuple[float, float, float]) -> float:
    """The always-on floor of minutes given as (mean, min, max)."""
    mean, low, high = zip(*minutes, strict=True)
    return always_on_w(minute_floors(mean, low, high))


def test_a_steady_load_counts_its_mean_not_the_lowest_noise():
    assert floor_of((8.0, 7.6, 8.4), (8.1, 7.5, 8.6)) == pytest.approx(8.0)


def test_a_fridge_in_real_time_shows_its_rest_power():
    rest, run, switching = (1.5, 1.45, 1.55), (100.0, 96.0, 104.0), (40.0, 1.5, 101.0)
    assert floor_of(*[run] * 12, switching, *[rest] * 30, switching) == pytest.approx(1.5)


def test_a_load_cycling_faster_than_a_minute_shows_its_rest_power_not_a_mix():
    """The demo's fridge at 60x: every minute holds runs at ~105 W and rests at ~1.5 W."""
    minutes = [(23.4, 1.47, 106.0), (36.6, 1.55, 105.9), (44.3, 1.5, 111.3)]
    assert floor_of(*minutes) == pytest.approx(1.47)


def test_a_dip_of_a_few_seconds_is_not_a_floor():
    one_zero_reading = (98.3, 0.0, 101.0)  # a minute at 100 W with one 0 W reading in 60
    assert floor_of(one_zero_reading) == pytest.approx(98.3)


def test_a_minute_switched_off_for_half_of_it_counts_as_off():
    assert floor_of((50.0, 0.0, 100.0)) == 0.0


def test_levels_are_computed_for_arrays_without_a_warning_on_flat_minutes():
    levels = minute_floors(np.array([0.0, 5.0]), np.array([0.0, 5.0]), np.array([0.0, 5.0]))
    assert levels.tolist() == [0.0, 5.0]
