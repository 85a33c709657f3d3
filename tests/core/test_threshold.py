"""Threshold suggestion: standby and use seen, too few readings, one level only."""

from __future__ import annotations

import random

import pytest

from phantom_desktop.core.detection import HYSTERESIS
from phantom_desktop.core.threshold import MIN_SAMPLES, percentile, suggest_threshold


def noisy(level: float, count: int, rng: random.Random, spread: float = 0.05) -> list[float]:
    return [rng.gauss(level, level * spread) for _ in range(count)]


@pytest.mark.parametrize(
    ("standby", "active", "expected"),
    [(0.8, 85.0, 1.4), (0.3, 10.0, 0.84), (3.0, 120.0, 5.1), (2.0, 6.0, 3.2)],
)
def test_threshold_sits_above_standby_and_below_use(standby, active, expected):
    rng = random.Random(7)
    powers = noisy(standby, 600, rng) + noisy(active, 400, rng) + [0.0] * 50
    suggestion = suggest_threshold(powers)
    assert suggestion.threshold_w == pytest.approx(expected, rel=0.05)
    assert standby * 1.2 < suggestion.threshold_w  # above standby and its noise
    assert suggestion.threshold_w * (1 + HYSTERESIS) < active * 0.85  # use never flagged
    assert suggestion.samples == 1000
    assert suggestion.standby_w == pytest.approx(standby, rel=0.15)
    assert suggestion.active_w == pytest.approx(active, rel=0.15)
    assert "on standby it draws about" in suggestion.explanation
    assert f"A threshold of {suggestion.threshold_w:g} W" in suggestion.explanation


def test_rare_dips_and_transitions_do_not_move_the_suggestion():
    rng = random.Random(3)
    steady = noisy(0.8, 3000, rng) + noisy(85.0, 2000, rng)
    glitches = [0.01] * 5 + [15.0] * 3
    assert suggest_threshold(steady + glitches).threshold_w == (
        suggest_threshold(steady).threshold_w
    )
    assert suggest_threshold(steady + glitches).active_w == pytest.approx(77, rel=0.05)


def test_not_enough_data():
    suggestion = suggest_threshold([1.0] * (MIN_SAMPLES - 1) + [0.0] * 100, "the last 24 h")
    assert suggestion.threshold_w is None and suggestion.standby_w is None
    assert suggestion.samples == MIN_SAMPLES - 1
    assert suggestion.explanation.startswith(
        f"Not enough data: {MIN_SAMPLES - 1} non-zero readings in the last 24 h, and at least "
        f"{MIN_SAMPLES} are needed."
    )
    assert "0 non-zero readings" in suggest_threshold([]).explanation
    assert "1 non-zero reading in" in suggest_threshold([5.0]).explanation


def test_no_standby_seen_when_there_is_one_level():
    rng = random.Random(5)
    for powers in (noisy(60.0, 500, rng), [rng.uniform(30, 200) for _ in range(500)]):
        suggestion = suggest_threshold(powers)
        assert suggestion.threshold_w is None and suggestion.active_w is None
        assert suggestion.explanation.startswith("No standby seen: the 500 non-zero readings")


def test_explanation_judges_the_current_threshold():
    powers = [3.0] * 200 + [100.0] * 50

    def about(current):
        return suggest_threshold(powers, current_threshold_w=current).explanation

    assert suggest_threshold(powers).threshold_w == 4.5
    assert "2 W, is at or below the standby level" in about(2)
    assert "95 W, reaches into normal use (100 W)" in about(95)
    assert "already about right" in about(4.5)
    assert "20 W, also separates the two levels" in about(20)


def test_non_finite_and_negative_values_are_ignored():
    clean = [3.0] * 200 + [100.0] * 50
    dirty = [*clean, float("nan"), float("inf"), -4.0]
    assert suggest_threshold(dirty) == suggest_threshold(clean)


def test_percentile_interpolates():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 1) == 5.0
    with pytest.raises(ValueError):
        percentile([], 50)
