"""Rollup arithmetic on traces whose energy is computed by hand."""

from __future__ import annotations

import pytest

from phantom_desktop.core.rollup_math import Delta, fold, minute_deltas


def totals(deltas: dict[int, Delta]) -> Delta:
    total = Delta()
    for delta in deltas.values():
        total.merge(delta)
    return total


def test_100_w_for_an_hour_then_2_w_for_half_an_hour_is_101_wh_with_1_wh_standby():
    points = [(float(t), 100.0) for t in range(0, 3600, 60)]
    points += [(float(t), 2.0) for t in range(3600, 5401, 60)]
    deltas, last = minute_deltas(None, points, threshold_w=5.0)
    total = totals(deltas)
    assert total.wh == pytest.approx(101.0)
    assert total.standby_wh == pytest.approx(1.0)
    assert total.standby_s == pytest.approx(1800.0)
    assert total.off_s == 0.0
    assert total.n == len(points)
    assert last == (5400.0, 2.0)
    hours = fold(deltas)
    assert sorted(hours) == [0, 3600]
    assert hours[0].wh == pytest.approx(100.0)
    assert hours[3600].wh == pytest.approx(1.0)
    assert (hours[3600].min_w, hours[3600].max_w) == (2.0, 2.0)


def test_a_gap_longer_than_the_cap_counts_only_five_minutes():
    deltas, _ = minute_deltas(None, [(0.0, 10.0), (1000.0, 10.0)], threshold_w=5.0)
    assert totals(deltas).wh == pytest.approx(10.0 * 300 / 3600)


def test_an_interval_is_split_at_the_minute_boundary():
    deltas, _ = minute_deltas(None, [(30.0, 60.0), (90.0, 60.0)], threshold_w=5.0)
    assert deltas[0].wh == pytest.approx(0.5)
    assert deltas[60].wh == pytest.approx(0.5)
    assert (deltas[0].n, deltas[60].n) == (1, 1)


def test_zero_power_counts_as_off_time_and_no_energy():
    deltas, _ = minute_deltas(None, [(0.0, 0.0), (120.0, 0.0), (180.0, 3.0)], threshold_w=5.0)
    total = totals(deltas)
    assert total.off_s == pytest.approx(180.0)
    assert total.wh == 0.0
    assert total.min_w == 0.0 and total.max_w == 3.0


def test_feeding_in_batches_gives_the_same_buckets_as_all_at_once():
    points = [(float(t), float(t % 7)) for t in range(0, 4000, 7)]
    whole, _ = minute_deltas(None, points, threshold_w=4.0)
    merged: dict[int, Delta] = {}
    previous = None
    for chunk in (points[:100], points[100:101], points[101:]):
        part, previous = minute_deltas(previous, chunk, threshold_w=4.0)
        for bucket, delta in part.items():
            merged.setdefault(bucket, Delta()).merge(delta)
    assert sorted(merged) == sorted(whole)
    for bucket, delta in whole.items():
        assert merged[bucket].wh == pytest.approx(delta.wh)
        assert merged[bucket].standby_s == pytest.approx(delta.standby_s)
        assert merged[bucket].n == delta.n


def test_a_late_reading_counts_in_its_bucket_but_adds_no_energy():
    deltas, last = minute_deltas((600.0, 10.0), [(30.0, 50.0)], threshold_w=5.0)
    assert last == (600.0, 10.0)
    assert deltas[0].n == 1 and deltas[0].max_w == 50.0
    assert totals(deltas).wh == 0.0
