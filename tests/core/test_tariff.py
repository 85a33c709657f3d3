"""Tariffs: time-of-use prices across midnight, weekdays and DST changes, by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from phantom_desktop.core.tariff import (
    Tariff,
    TariffError,
    TouPeriod,
    format_periods,
    parse_periods,
)

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = Tariff(0.30, "EUR", parse_periods("Mon-Sun 0-6 0.10"))


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).astimezone(UTC).timestamp()


def hourly(start_utc: str, hours: int, wh: float) -> list[tuple[float, float, float]]:
    start = epoch(start_utc)
    return [(start + 3600 * i, 3600.0, wh) for i in range(hours)]


def test_a_flat_price_is_kwh_times_price():
    assert Tariff(0.25).cost(hourly("2026-06-01T00:00+00:00", 10, 100.0), BERLIN) == pytest.approx(
        0.25
    )


def test_a_night_period_wraps_past_midnight():
    tariff = Tariff(0.30, "EUR", parse_periods("Mon-Sun 22-6 0.10"))
    # 100 W from 20:00 to 08:00 local (winter, CET): 2 h day, 8 h night, 2 h day.
    cost = tariff.cost(hourly("2026-01-14T20:00+01:00", 12, 100.0), BERLIN)
    assert cost == pytest.approx(4 * 0.1 * 0.30 + 8 * 0.1 * 0.10)


def test_a_wrapping_period_belongs_to_the_day_it_starts_on():
    tariff = Tariff(0.30, "EUR", parse_periods("Fri 22-6 0.10"))
    assert tariff.price_at(datetime(2026, 1, 17, 2)) == 0.10  # Saturday 02:00
    assert tariff.price_at(datetime(2026, 1, 17, 23)) == 0.30  # Saturday 23:00
    assert tariff.price_at(datetime(2026, 1, 16, 2)) == 0.30  # Friday 02:00 (Thursday night)


def test_spring_forward_night_has_one_hour_less():
    # 1 kW from 00:00 CET to 08:00 CEST on 2026-03-29: 7 real hours, local 00 01 03 04 05 | 06 07.
    cost = NIGHT.cost(hourly("2026-03-28T23:00+00:00", 7, 1000.0), BERLIN)
    assert cost == pytest.approx(5 * 0.10 + 2 * 0.30)


def test_fall_back_night_has_one_hour_more():
    # 1 kW from 00:00 CEST to 07:00 CET on 2026-10-25: 8 real hours,
    # local 00 01 02 02 03 04 05 | 06.
    cost = NIGHT.cost(hourly("2026-10-24T22:00+00:00", 8, 1000.0), BERLIN)
    assert cost == pytest.approx(7 * 0.10 + 1 * 0.30)


def test_a_bucket_is_split_at_local_hour_boundaries_of_a_half_hour_zone():
    # 00:00-01:00 UTC is 05:30-06:30 in India: half night, half day.
    cost = NIGHT.cost([(epoch("2026-01-01T00:00+00:00"), 3600.0, 1000.0)], ZoneInfo("Asia/Kolkata"))
    assert cost == pytest.approx(0.5 * 0.10 + 0.5 * 0.30)


def test_yearly_cost_of_a_constant_load_uses_the_weeks_average_price():
    assert Tariff(0.30).yearly_cost(1.0) == pytest.approx(8.76 * 0.30)
    assert NIGHT.yearly_cost(1.0) == pytest.approx(8.76 * (6 * 0.10 + 18 * 0.30) / 24)


def test_periods_read_back_what_they_print():
    periods = parse_periods("Mon-Fri 22-6 0.18\nsat,sun 0-24 0.2\n# comment\n")
    assert periods[0] == TouPeriod(frozenset(range(5)), 22, 6, 0.18)
    assert periods[1].days == frozenset({5, 6})
    assert parse_periods(format_periods(periods)) == periods


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Mon-Fri 22-6", "line 1: write a period"),
        ("Funday 1-2 0.1", "not a day"),
        ("Mon 25-2 0.1", "hours run from 0 to 24"),
        ("Mon 5-5 0.1", "hours run from 0 to 24"),
        ("Mon 1-2 -0.1", "zero or more"),
        ("Mon 1-2 cheap", "not a price"),
    ],
)
def test_bad_periods_say_what_is_wrong(text, says):
    with pytest.raises(TariffError, match=says):
        parse_periods(text)


def test_an_alert_says_what_the_standby_costs_a_year():
    from phantom_desktop.core.alert_text import phantom_alert_message

    text = phantom_alert_message("TV", 1.5, 5.0, True, True, tariff=Tariff(0.30, "EUR"))
    assert text == (
        "Phantom power on TV: 1.5 W standby (about 3.94 EUR a year; threshold 5 W)"
        " — port turned off"
    )
    assert "a year" not in phantom_alert_message("TV", 1.5, 5.0, True, True)
