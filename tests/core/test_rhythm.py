"""Rhythm recognition and the standby rules built on it: fridges, washers, TVs, replacements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from phantom_desktop.core.detection import PortDetector, PortRules, Verdict
from phantom_desktop.core.rhythm import (
    LEARNING_RESTS,
    MAX_REST_S,
    MIN_CYCLES,
    Pattern,
    RhythmOverride,
    duration_text,
)

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
STEP_S = 10.0
MIN_S = 60.0

Segment = tuple[float, float]  # (minutes, watts)


class Replay:
    """Feeds segments of constant power to one detector, a reading every STEP_S.

    A cut opens the relay: the port reads 0 W until the next segment above the threshold,
    when the user switches it back on.
    """

    def __init__(self, rules: PortRules) -> None:
        self.detector = PortDetector(rules)
        self.cut = False
        self.t = 0.0
        self.events: list[tuple[float, Verdict]] = []  # (minutes since T0, verdict)
        self.held: list[str] = []

    def run(self, segments: list[Segment]) -> Replay:
        for minutes, watts in segments:
            end = self.t + minutes * 60.0
            self.cut = self.cut and watts < self.detector.rules.threshold_w
            while self.t < end:
                power = 0.0 if self.cut else watts
                verdict = self.detector.feed(T0 + timedelta(seconds=self.t), power)
                if verdict.detected is not None:
                    self.events.append((self.t / 60.0, verdict))
                    self.cut = verdict.detected.cut
                if verdict.held is not None:
                    self.held.append(verdict.held)
                self.t += STEP_S
        return self

    @property
    def pattern(self) -> Pattern:
        return self.detector.rhythm.rhythm.pattern


def rules(
    auto_cut: bool = False, override: RhythmOverride = RhythmOverride.AUTO, threshold_w: float = 5.0
) -> PortRules:
    return PortRules(threshold_w, min_duration_s=MIN_S, auto_cut=auto_cut, rhythm=override)


# A TV watched, then left in standby longer than any compressor rests: no longer a new port.
LEARNED_TV = [(90, 120.0), (MAX_REST_S / 60 + 30, 2.1)]


def fridge(cycles: int, rest_min: float = 30.0, run_min: float = 12.0) -> list[Segment]:
    """Cycles of a compressor run at 95 W then a rest at 1.5 W, varied by a few percent."""
    segments: list[Segment] = []
    for i in range(cycles):
        wobble = 1.0 + 0.05 * ((i * 7) % 3 - 1)
        segments += [(run_min * wobble, 95.0), (rest_min / wobble, 1.5)]
    return segments


WASH_A = [(3, 150), (15, 2000), (8, 200), (40, 2.0), (10, 250), (25, 2.0), (12, 180), (8, 600)]
WASH_B = [(3, 150), (12, 2000), (6, 220), (20, 2.0), (9, 240), (35, 2.0), (10, 200), (9, 650)]


def wash(programme: list[tuple[float, float]], display_min: float = 60.0) -> list[Segment]:
    """Off for hours, a programme, then the display left on (1.8 W), then off."""
    return [(10 * 60, 0.0), *programme, (display_min, 1.8), (30, 0.0)]


# -- cycling ---------------------------------------------------------------------------------
def test_a_fridge_is_recognised_as_cycling_and_its_rests_are_then_never_events():
    replay = Replay(rules(auto_cut=True)).run(fridge(40))
    assert replay.pattern is Pattern.CYCLING
    rhythm = replay.detector.rhythm.rhythm
    assert rhythm.period_s == pytest.approx(42 * 60, rel=0.1)
    replay.run(fridge(60))
    assert replay.events == []  # 100 rests, not one event or cut
    assert replay.held and "this port has cycled every ~4" in replay.held[-1]
    assert replay.held[-1].startswith("low for 60 s, but") and replay.held[-1].endswith(
        "→ not standby"
    )


def test_a_fridge_plugged_in_a_moment_ago_is_not_cut_in_its_first_rests():
    replay = Replay(rules(auto_cut=True)).run(fridge(MIN_CYCLES + 1))
    assert replay.events == []
    assert replay.pattern is Pattern.CYCLING
    assert replay.held[0] == (
        "low for 60 s right after a run, but this port is still being learned and a fridge or "
        "freezer rests up to 1 h 30 min between runs → not standby yet"
    )


def test_a_new_tv_is_cut_once_it_outlasts_any_compressor_rest_then_after_the_min_duration():
    replay = Replay(rules(auto_cut=True)).run([(90, 120.0), (180, 2.1)])
    [(minute, verdict)] = replay.events
    assert minute == pytest.approx(90 + (MAX_REST_S + MIN_S) / 60.0)
    assert verdict.detected.reason == (
        "standby 2.1 W for 1 h 31 min, stable; longer than any compressor's rest (1 h 30 min), "
        "no rhythm learned yet → cut"
    )
    replay.events.clear()
    replay.run([(60, 120.0), (30, 2.1)])  # not a compressor: the next standby is plain standby
    [(minute, verdict)] = replay.events
    assert minute == pytest.approx(replay.t / 60.0 - 30 + MIN_S / 60.0)
    assert "no cycle seen in 5.5 h" in verdict.detected.reason


def test_a_charger_tapering_off_is_not_held_as_a_compressor_rest():
    """A run that stops from a few watts is no compressor's: standby after the min duration."""
    replay = Replay(rules(auto_cut=True, threshold_w=1.0)).run([(30, 8.0), (20, 1.2), (60, 0.3)])
    [(minute, _verdict)] = replay.events
    assert minute == pytest.approx(50 + MIN_S / 60.0)


def test_a_run_shorter_than_any_compressors_is_not_followed_by_a_held_rest():
    """A microwave heats for two minutes, then shows its clock: standby after the min duration."""
    replay = Replay(rules(auto_cut=True)).run([(2, 1100.0), (30, 3.0)])
    [(minute, _verdict)] = replay.events
    assert minute == pytest.approx(2 + MIN_S / 60.0)


def test_the_owner_can_have_a_new_port_cut_at_the_min_duration():
    plain = Replay(rules(auto_cut=True, override=RhythmOverride.STANDBY)).run(fridge(1))
    [(minute, verdict)] = plain.events
    assert minute == pytest.approx(12 + MIN_S / 60.0, abs=1)
    assert "you set this port to plain standby detection" in verdict.detected.reason


def learned(segments: list[Segment], pattern: Pattern, **kwargs) -> Replay:
    """A replay that has learned from `segments` with auto-cut off, then gets `kwargs` rules."""
    replay = Replay(rules()).run(segments)
    assert replay.pattern is pattern
    replay.detector.set_rules(rules(**kwargs))
    replay.events.clear()
    return replay


def learned_fridge(**kwargs) -> Replay:
    return learned(fridge(12), Pattern.CYCLING, **kwargs)


def test_a_fridge_whose_rhythm_changes_on_a_hot_day_stays_recognised():
    replay = learned_fridge(auto_cut=True)
    # Afternoon heat: rests shrink from 30 to 12 min and runs grow from 12 to 25 min, then the
    # evening brings them back, one cycle at a time.
    heat = [(12 + 13 * k / 8, 95.0) for k in range(9)]
    rests = [30 - 18 * k / 8 for k in range(9)]
    day = [seg for run, rest in zip(heat, rests, strict=True) for seg in (run, (rest, 1.5))]
    evening = [
        seg for run, rest in zip(heat[::-1], rests[::-1], strict=True) for seg in (run, (rest, 1.5))
    ]
    replay.run(day + evening)
    assert replay.events == []
    assert replay.pattern is Pattern.CYCLING


def test_a_fridge_door_left_open_a_long_run_and_a_short_rest_are_not_standby():
    replay = learned_fridge(auto_cut=True)
    replay.run([(45, 110.0), (9, 1.5), (20, 95.0), (24, 1.5), *fridge(6)])
    assert replay.events == []
    assert replay.pattern is Pattern.CYCLING


def test_a_cycling_port_that_really_goes_to_standby_is_caught_after_its_rhythm_and_min_duration():
    replay = learned_fridge()
    hold_s = replay.detector.rhythm.rhythm.hold_s
    start = replay.t / 60.0 + 12
    replay.run([(12, 95.0), (5 * 60, 1.5)])
    assert len(replay.events) == 1
    minute, verdict = replay.events[0]
    assert minute - start == pytest.approx((hold_s + MIN_S) / 60.0, abs=STEP_S / 60.0)
    assert verdict.detected is not None
    period = duration_text(replay.detector.rhythm.rhythm.period_s or 0)
    assert f"longer than any rest of its ~{period} rhythm" in verdict.detected.reason


def test_irregular_short_low_phases_are_not_a_rhythm():
    lows = [5, 70, 12, 45, 8, 60, 20, 75, 6, 35] * 2
    replay = Replay(rules()).run([seg for low in lows for seg in ((15, 95.0), (low, 1.5))])
    assert replay.pattern is Pattern.NONE
    # Held while a rhythm could still show; each low phase after that is standby after the
    # min duration.
    assert len(replay.events) == len(lows) - LEARNING_RESTS


# -- programmes ------------------------------------------------------------------------------
def test_a_washer_soaks_are_not_cut_once_its_programmes_are_known():
    replay = learned(wash(WASH_A) + wash(WASH_B), Pattern.PROGRAMME, auto_cut=True)
    assert replay.detector.rhythm.rhythm.hold_s == pytest.approx(40 * 60, abs=STEP_S)
    start = replay.t / 60.0 + 10 * 60 + sum(m for m, _ in WASH_B)
    replay.run(wash(WASH_B, display_min=90))
    assert len(replay.events) == 1  # the display left on after the spin, not the soaks
    minute, verdict = replay.events[0]
    assert minute - start == pytest.approx(40 + MIN_S / 60.0, abs=STEP_S / 60.0)
    assert verdict.detected is not None and verdict.detected.cut
    assert "longer than any pause its programmes have shown (40 min)" in verdict.detected.reason


def test_the_first_programme_ever_is_held_like_a_new_fridge_then_judged_by_min_duration():
    replay = Replay(rules()).run(wash(WASH_A))
    assert replay.pattern is Pattern.NONE
    assert replay.events == []  # its soaks and display after drum runs: possible first rests
    replay.run(LEARNED_TV)  # not a compressor: from now on nothing is held until learned
    replay.events.clear()
    replay.run(wash(WASH_A))
    assert len(replay.events) == 3  # two soaks and the display: no programme learned yet
    assert "no cycle seen in" in replay.events[0][1].detected.reason


def test_standby_after_being_switched_on_is_not_a_pause():
    replay = Replay(rules()).run(wash(WASH_A) + wash(WASH_B))
    replay.events.clear()
    replay.run([(60, 0.0), (10, 1.8)])  # switched on, left without choosing a programme
    assert len(replay.events) == 1
    assert replay.events[0][0] == pytest.approx(replay.t / 60.0 - 10 + MIN_S / 60.0, abs=0.2)


# -- plain standby ---------------------------------------------------------------------------
def test_a_tv_without_rhythm_is_standby_after_the_min_duration_with_its_reason():
    replay = Replay(rules(auto_cut=True)).run([(5, 0.0), (10, 1.8)])  # plugged in on standby
    assert len(replay.events) == 1
    minute, verdict = replay.events[0]
    assert minute == pytest.approx(5 + MIN_S / 60.0)
    assert verdict.detected.reason == (
        "standby 1.8 W for 60 s, stable; no rhythm learned yet (watched for 6 min) → cut"
    )
    replay.run(LEARNED_TV)
    replay.events.clear()
    replay.run([(90, 120.0), (180, 2.1)])
    minute, verdict = replay.events[0]
    assert minute == pytest.approx(replay.t / 60.0 - 180 + MIN_S / 60.0)
    assert verdict.detected.reason == "standby 2.1 W for 60 s, stable; no cycle seen in 5.3 h → cut"


def test_unsteady_low_power_is_not_standby_until_it_settles():
    flicker = [(0.5, 0.6), (0.5, 3.9)] * 10  # 0.6 ↔ 3.9 W every 30 s, under a 5 W threshold
    replay = Replay(rules()).run(LEARNED_TV)
    replay.events.clear()
    start = replay.t / 60.0
    replay.run([(30, 100.0), *flicker, (10, 2.0)])
    assert len(replay.events) == 1
    assert replay.events[0][0] - start == pytest.approx(30 + 10 + MIN_S / 60.0, abs=STEP_S / 60.0)


def test_a_silence_inside_a_low_phase_is_not_learned_as_a_rest():
    detector = PortDetector(rules())
    t = 0.0
    for _ in range(8):
        for minutes, watts in ((10, 95.0), (30, 1.5)):
            end = t + minutes * 60
            while t < end:
                detector.feed(T0 + timedelta(seconds=t), watts)
                t += STEP_S
            t += 600.0  # ten silent minutes after every phase
    assert detector.rhythm.rhythm.pattern is Pattern.NONE


# -- replaced appliances and overrides ------------------------------------------------------
def test_a_fridge_replaced_by_a_tv_is_forgotten_after_the_first_long_standby():
    replay = learned_fridge()
    hold_min = replay.detector.rhythm.rhythm.hold_s / 60.0
    replay.run([(120, 130.0), (240, 1.0)])  # the TV: watched, then standby
    assert len(replay.events) == 1
    assert replay.events[0][0] == pytest.approx(
        replay.t / 60.0 - 240 + hold_min + MIN_S / 60.0, abs=0.2
    )
    replay.events.clear()
    replay.run([(120, 130.0), (240, 1.0)])
    assert replay.pattern is Pattern.NONE
    assert [round(m - (replay.t / 60.0 - 240), 1) for m, _ in replay.events] == [1.0]


def test_a_tv_replaced_by_a_fridge_is_learned_within_a_few_cycles():
    replay = Replay(rules()).run([(120, 130.0), (240, 1.0)] * 3)
    replay.events.clear()
    replay.run(fridge(20))
    assert replay.pattern is Pattern.CYCLING
    assert 1 <= len(replay.events) <= MIN_CYCLES + 1  # only the rests before the rhythm showed
    assert all(m < replay.events[0][0] + (MIN_CYCLES + 1) * 42 for m, _ in replay.events)


def test_the_owner_can_say_it_rests_or_that_it_is_plain_standby():
    rests = Replay(rules(auto_cut=True, override=RhythmOverride.RESTS)).run(
        [(120, 130.0), (600, 1.0)]
    )
    assert rests.events == []
    assert "you marked this appliance as one that rests" in rests.held[0]
    plain = learned_fridge(override=RhythmOverride.STANDBY)
    plain.run(fridge(1))
    assert len(plain.events) == 1
    assert "you set this port to plain standby detection" in plain.events[0][1].detected.reason


def test_changing_the_threshold_starts_learning_afresh():
    replay = learned_fridge()
    replay.detector.set_rules(PortRules(threshold_w=3.0, min_duration_s=MIN_S, auto_cut=False))
    assert replay.pattern is Pattern.NONE
