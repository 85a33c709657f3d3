"""The phantom detection rules of docs/ARCHITECTURE.md, one test per rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from phantom_desktop.core.detection import (
    EpisodeProgress,
    Phase,
    PortDetector,
    PortRules,
    recounted,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def feed_all(detector: PortDetector, samples: list[tuple[float, float]]):
    return [detector.feed(at(t), p) for t, p in samples]


def test_first_standby_reading_detects_when_min_duration_is_zero():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0, auto_cut=True))
    verdict = detector.feed(at(0), 2.3)
    assert verdict.phantom
    assert verdict.detected is not None and verdict.detected.cut
    assert verdict.detected.power_w == 2.3


def test_active_power_is_not_phantom():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0))
    assert [v.phantom for v in feed_all(detector, [(0, 103.7), (2, 98.0), (4, 5.0)])] == [
        False,
        False,
        False,
    ]


def test_zero_is_off_not_standby():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0))
    verdicts = feed_all(detector, [(0, 0.0), (10, 0.0), (3600, 0.0)])
    assert not any(v.phantom or v.detected for v in verdicts)
    assert detector.phase is Phase.IDLE


def test_standby_must_last_min_duration_on_reading_timestamps():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=30, auto_cut=False))
    verdicts = feed_all(detector, [(0, 1.5), (10, 1.5), (20, 1.5), (29.9, 1.5), (30, 1.5)])
    assert [v.detected is not None for v in verdicts] == [False, False, False, False, True]
    assert verdicts[-1].detected.started_at == at(0)
    assert verdicts[-1].detected.detected_at == at(30)


def test_buffered_readings_are_judged_as_they_happened_not_by_wall_clock():
    """A day-old burst replayed in one second still needs 30 s of reading time."""
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=30, auto_cut=False))
    old = T0 - timedelta(days=1)
    assert detector.feed(old, 1.0).detected is None
    assert detector.feed(old + timedelta(seconds=5), 1.0).detected is None
    assert detector.feed(old + timedelta(seconds=31), 1.0).detected is not None


def test_short_dip_below_threshold_is_not_an_event():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=30))
    verdicts = feed_all(detector, [(0, 100), (2, 3.0), (4, 3.0), (6, 100), (40, 100)])
    assert not any(v.detected for v in verdicts)


def test_one_event_per_episode_not_per_reading():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0, auto_cut=False))
    verdicts = feed_all(detector, [(t, 1.5) for t in range(0, 600, 2)])
    assert sum(v.detected is not None for v in verdicts) == 1
    assert all(v.phantom for v in verdicts)


def test_noise_around_threshold_does_not_flap():
    """Standby that wobbles 4.6–5.4 W around a 5 W threshold stays one episode."""
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0, auto_cut=False))
    wobble = [4.6, 5.2, 4.9, 5.4, 4.7, 5.1, 4.8, 5.3] * 20
    verdicts = feed_all(detector, [(2 * i, p) for i, p in enumerate(wobble)])
    assert sum(v.detected is not None for v in verdicts) == 1
    assert not any(v.ended for v in verdicts)


def test_episode_ends_above_hysteresis_and_records_wasted_energy():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0, auto_cut=False))
    feed_all(detector, [(t, 2.0) for t in range(0, 3600, 60)])
    verdict = detector.feed(at(3600), 120.0)
    assert not verdict.phantom
    assert verdict.ended is not None
    assert verdict.ended.ended_at == at(3600)
    assert verdict.ended.wasted_wh == pytest.approx(2.0)  # 2 W for one hour
    assert verdict.ended.mean_power_w == pytest.approx(2.0)


def test_episode_ends_when_power_drops_to_zero():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0, auto_cut=False))
    feed_all(detector, [(0, 3.0), (60, 3.0)])
    verdict = detector.feed(at(120), 0.0)
    assert verdict.ended is not None
    assert verdict.ended.wasted_wh == pytest.approx(3.0 * 120 / 3600)


def test_auto_cut_ends_the_episode_at_detection():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=30, auto_cut=True))
    verdicts = feed_all(detector, [(0, 1.0), (15, 1.0), (30, 1.0)])
    last = verdicts[-1]
    assert last.phantom and last.detected.cut
    assert last.ended is not None and last.ended.ended_at == at(30)
    assert last.ended.wasted_wh == pytest.approx(30 / 3600)
    assert detector.phase is Phase.IDLE


def test_port_turned_off_by_hand_ends_open_event():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0, auto_cut=False))
    feed_all(detector, [(0, 2.0), (100, 2.0)])
    ended = detector.port_turned_off(at(200))
    assert ended is not None and ended.wasted_wh == pytest.approx(2.0 * 200 / 3600)
    assert detector.port_turned_off(at(300)) is None


def test_a_new_fridge_is_neither_reported_nor_cut_in_its_first_cycles():
    """Compressor 90–110 W for 10 min, then ~1.5 W for 20 min, three cycles."""
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=30, auto_cut=True))
    samples: list[tuple[float, float]] = []
    t = 0.0
    for _cycle in range(3):
        for _ in range(60):
            samples.append((t, 100.0 + (t % 7) - 3))
            t += 10
        for _ in range(120):
            samples.append((t, 1.5 + ((t % 3) - 1) * 0.1))
            t += 10
    verdicts = feed_all(detector, samples)
    assert not any(v.detected or v.phantom for v in verdicts)
    assert sum(v.held is not None for v in verdicts) == 3  # one note per rest


def test_out_of_order_reading_is_not_judged():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0, auto_cut=False))
    detector.feed(at(100), 2.0)
    verdict = detector.feed(at(50), 200.0)
    assert verdict.phantom and verdict.ended is None


def test_silent_gap_counts_at_most_max_gap_towards_waste():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=0, auto_cut=False))
    detector.feed(at(0), 3.6)
    ended = detector.feed(at(86_400), 0.0).ended
    assert ended is not None
    assert ended.wasted_wh == pytest.approx(3.6 * 300 / 3600)


def test_resumed_event_is_not_detected_twice():
    rules = PortRules(threshold_w=5, min_duration_s=0, auto_cut=False)
    detector = PortDetector.resume(rules, EpisodeProgress(at(0), at(10), 2.0, 0.0))
    verdict = detector.feed(at(20), 2.0)
    assert verdict.phantom and verdict.detected is None
    assert detector.feed(at(30), 50.0).ended is not None


def test_a_resumed_event_ends_with_the_energy_of_the_whole_episode():
    """10 W from 0 to 1 h, interrupted after 50 min: the resumed detector still counts 10 Wh."""
    rules = PortRules(threshold_w=15, min_duration_s=60, auto_cut=False)
    before = PortDetector(rules)
    feed_all(before, [(t, 10.0) for t in range(0, 3001, 60)])
    progress = before.progress()
    assert progress == EpisodeProgress(at(0), at(3000), 10.0, pytest.approx(10.0 * 3000 / 3600))
    after = PortDetector.resume(rules, progress)
    *_, last = feed_all(after, [(t, 10.0) for t in range(3060, 3600, 60)] + [(3600, 0.0)])
    assert last.ended is not None
    assert last.ended.wasted_wh == pytest.approx(10.0)
    assert last.ended.mean_power_w == pytest.approx(10.0)


def test_no_progress_to_save_without_an_open_event():
    detector = PortDetector(PortRules(threshold_w=5, min_duration_s=60, auto_cut=False))
    detector.feed(at(0), 2.0)  # standby, not yet an event
    assert detector.progress() is None


def test_an_episode_is_recounted_from_its_readings_as_the_detector_counted_it():
    readings = [(at(t), 3.0) for t in range(0, 600, 30)] + [(at(1200), 4.0)]
    progress = recounted(at(0), readings)
    assert progress == EpisodeProgress(
        at(0),
        at(1200),
        4.0,
        pytest.approx(3.0 * (570 + 300) / 3600),  # the gap counts 300 s
    )
    assert recounted(at(0), []) is None
