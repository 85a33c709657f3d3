"""Suggest threshold explains the always-on floor and the recognised rhythm."""

from __future__ import annotations

from datetime import UTC, datetime

from phantom_desktop.core.rhythm import NO_RHYTHM, Pattern, Rhythm
from phantom_desktop.core.threshold import suggest_threshold
from phantom_desktop.core.threshold_advice import advise_threshold

FRIDGE = [1.5] * 300 + [95.0] * 120
SINCE = datetime(2026, 3, 1, 14, 10, tzinfo=UTC)


def test_a_fridge_is_told_that_its_low_phases_are_rests_and_what_its_floor_is():
    rhythm = Rhythm(Pattern.CYCLING, SINCE, hold_s=40 * 60, period_s=38 * 60, rests_seen=8)
    advice = advise_threshold(suggest_threshold(FRIDGE), rhythm, baseline_w=1.5)
    assert advice.threshold_w == suggest_threshold(FRIDGE).threshold_w
    assert "It cycles (~38 min rhythm): its low phases are rests between runs" in (
        advice.explanation
    )
    assert "if it stays low longer than 40 min" in advice.explanation
    assert (
        "Always-on floor over 48 h (low percentile of the levels it held each minute): 1.5 W"
        in (advice.explanation)
    )
    assert advice.explanation.endswith("the standby it wastes around the clock.")


def test_a_router_that_never_drops_is_told_to_keep_the_threshold_below_its_floor():
    advice = advise_threshold(suggest_threshold([8.0, 8.1, 7.9] * 20), NO_RHYTHM, baseline_w=7.9)
    assert advice.threshold_w is None
    assert "keep the threshold below 7.9 W so it is never cut" in advice.explanation


def test_a_washer_hears_about_its_programme_pauses():
    rhythm = Rhythm(Pattern.PROGRAMME, SINCE, hold_s=55 * 60, rests_seen=3)
    advice = advise_threshold(suggest_threshold([2.0] * 100 + [300.0] * 100), rhythm, None)
    assert "programmes with pauses of up to 55 min" in advice.explanation


def test_not_enough_data_stays_not_enough_data():
    advice = advise_threshold(suggest_threshold([2.0] * 3), NO_RHYTHM, baseline_w=2.0)
    assert advice.explanation.startswith("Not enough data") and "floor" not in advice.explanation
