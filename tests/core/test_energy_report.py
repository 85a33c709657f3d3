"""Waste, savings, periods and baselines on hand-computed traces."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from phantom_desktop.core.baseline import always_on_w
from phantom_desktop.core.energy_report import (
    EnergyBucket,
    Episode,
    home_rows,
    port_rows,
    saved_wh,
    wasted_wh,
)
from phantom_desktop.core.periods import PeriodBy, period_bounds
from phantom_desktop.core.tariff import Tariff
from phantom_desktop.core.timespec import TimeSpecError, parse_time

BERLIN = ZoneInfo("Europe/Berlin")
H = 3600.0


def test_a_cut_saves_standby_power_times_the_time_the_port_stayed_off():
    cut = Episode(
        started_at=0, ended_at=1000, power_w=2.0, wasted_wh=0.5, cut=True, restored_at=1000 + 5 * H
    )
    assert saved_wh(cut, 0, 10 * H, now=20 * H) == pytest.approx(10.0)
    assert saved_wh(cut, 1000, 1000 + 2.5 * H, now=20 * H) == pytest.approx(5.0)
    still_off = Episode(0, 1000, 2.0, 0.5, cut=True, restored_at=None)
    assert saved_wh(still_off, 0, 100 * H, now=1000 + 3 * H) == pytest.approx(6.0)
    notified = Episode(0, 1000, 2.0, 0.5, cut=False)
    assert saved_wh(notified, 0, 100 * H, now=100 * H) == 0.0


def test_wasted_energy_is_shared_by_overlap_and_open_episodes_run_to_now():
    episode = Episode(0, 1000, 2.0, 0.5, cut=True)
    assert wasted_wh(episode, 500, 2000, now=5000) == pytest.approx(0.25)
    open_episode = Episode(0, None, 3.0, 0.0, cut=False)
    assert wasted_wh(open_episode, 0, 10 * H, now=2 * H) == pytest.approx(6.0)


def test_port_rows_add_up_energy_cost_waste_and_savings_per_day():
    start = datetime(2026, 1, 14, tzinfo=BERLIN).astimezone(UTC)
    end = datetime(2026, 1, 16, tzinfo=BERLIN).astimezone(UTC)
    periods = period_bounds(start, end, PeriodBy.DAY, BERLIN)
    s = start.timestamp()
    buckets = [
        EnergyBucket(s + i * H, H, 100.0 if i < 24 else 2.0, 0.0 if i < 24 else 2.0)
        for i in range(48)
    ]
    cut = Episode(s + 23 * H, s + 24 * H, 2.0, 2.0, cut=True, restored_at=s + 36 * H)
    rows = port_rows(
        "p",
        "TV",
        periods,
        buckets,
        [cut],
        lambda a, b: [2.0] * 10,
        Tariff(0.5, "EUR"),
        BERLIN,
        now=end.timestamp(),
    )
    assert [r.wh for r in rows] == pytest.approx([2400.0, 48.0])
    assert [r.standby_wh for r in rows] == pytest.approx([0.0, 48.0])
    assert [r.cost for r in rows] == pytest.approx([1.2, 0.024])
    assert [r.wasted_wh for r in rows] == pytest.approx([2.0, 0.0])
    assert [r.saved_wh for r in rows] == pytest.approx([0.0, 24.0])
    assert rows[1].always_on_w == 2.0
    assert rows[1].yearly_standby_cost == pytest.approx(2 * 8.76 * 0.5)
    home = home_rows({"p": rows, "q": rows}, Tariff(0.5, "EUR"))
    assert home[1].to_json()["kwh"] == pytest.approx(0.096)
    assert home[1].to_json()["alwaysOnW"] == 4.0


def test_days_follow_local_midnight_across_dst():
    start = datetime(2026, 3, 28, tzinfo=BERLIN)
    end = datetime(2026, 3, 31, tzinfo=BERLIN)
    bounds = period_bounds(start, end, PeriodBy.DAY, BERLIN)
    assert [(b - a).total_seconds() / H for a, b in bounds] == [24, 23, 24]
    months = period_bounds(
        datetime(2026, 1, 20, tzinfo=BERLIN),
        datetime(2026, 3, 2, tzinfo=BERLIN),
        PeriodBy.MONTH,
        BERLIN,
    )
    assert [a.astimezone(BERLIN).date().isoformat() for a, _ in months] == [
        "2026-01-20",
        "2026-02-01",
        "2026-03-01",
    ]
    weeks = period_bounds(
        datetime(2026, 1, 14, tzinfo=BERLIN),
        datetime(2026, 1, 27, tzinfo=BERLIN),
        PeriodBy.WEEK,
        BERLIN,
    )
    assert [a.astimezone(BERLIN).weekday() for a, _ in weeks[1:]] == [0, 0]


def test_always_on_ignores_dips_shorter_than_one_percent_of_the_window():
    assert always_on_w([3.0] * 2860 + [0.5] * 20) == 3.0
    assert always_on_w([3.0] * 2820 + [0.5] * 60) == 0.5
    assert always_on_w([]) == 0.0


def test_times_are_iso_or_relative():
    now = datetime(2026, 1, 10, 12, tzinfo=UTC)
    assert parse_time("-7d", now, BERLIN) == datetime(2026, 1, 3, 12, tzinfo=UTC)
    assert parse_time("-90m", now, BERLIN) == datetime(2026, 1, 10, 10, 30, tzinfo=UTC)
    assert parse_time("2026-01-10T12:00", now, BERLIN) == datetime(2026, 1, 10, 11, tzinfo=UTC)
    assert parse_time("2026-01-10T12:00Z", now, BERLIN).hour == 12
    with pytest.raises(TimeSpecError, match="-7d"):
        parse_time("last week", now, BERLIN)
