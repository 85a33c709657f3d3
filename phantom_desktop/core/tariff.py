"""Electricity tariffs: a price per kWh, a currency and optional time-of-use periods.

A period is priced by local wall-clock time: weekdays and an hour range. A range that wraps
past midnight (22-6) belongs to the weekday it starts on, so "Fri 22-6" covers Saturday 02:00.
The first matching period wins; hours no period covers cost the base price. Energy of a bucket
is split at local hour boundaries (DST changes included) in proportion to time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from phantom_desktop.core.energy import HOURS_PER_YEAR

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOUR_S = 3600


class TariffError(ValueError):
    """A tariff a user typed is not valid; the message says where and why."""


@dataclass(frozen=True, slots=True)
class TouPeriod:
    """A price on some weekdays (0 = Monday) from `start_hour` to `end_hour` (may wrap)."""

    days: frozenset[int]
    start_hour: int
    end_hour: int
    price_per_kwh: float

    def covers(self, weekday: int, hour: int) -> bool:
        start, end = self.start_hour, self.end_hour
        if start < end:
            return weekday in self.days and start <= hour < end
        return (weekday in self.days and hour >= start) or (
            (weekday - 1) % 7 in self.days and hour < end
        )

    def describe(self) -> str:
        return (
            f"{_describe_days(self.days)} {self.start_hour}-{self.end_hour} {self.price_per_kwh:g}"
        )


@dataclass(frozen=True, slots=True)
class Tariff:
    price_per_kwh: float = 0.30
    currency: str = "EUR"
    periods: tuple[TouPeriod, ...] = field(default=())

    def price_at(self, local: datetime) -> float:
        """Price per kWh at a local wall-clock time."""
        weekday, hour = local.weekday(), local.hour
        for period in self.periods:
            if period.covers(weekday, hour):
                return period.price_per_kwh
        return self.price_per_kwh

    def mean_price(self) -> float:
        """Average price over the 168 hours of a week: what a constant load pays per kWh."""
        if not self.periods:
            return self.price_per_kwh
        total = 0.0
        for weekday in range(7):
            for hour in range(24):
                local = datetime(2024, 1, 1 + weekday, hour)  # 2024-01-01 is a Monday
                total += self.price_at(local)
        return total / 168.0

    def yearly_cost(self, constant_w: float) -> float:
        """What a load drawing `constant_w` all year costs."""
        return constant_w * HOURS_PER_YEAR / 1000.0 * self.mean_price()

    def cost(self, buckets: Iterable[tuple[float, float, float]], zone: tzinfo) -> float:
        """Cost of energy given as (UTC epoch start, duration s, Wh) spread evenly in time."""
        if not self.periods:
            return sum(wh for _s, _d, wh in buckets) / 1000.0 * self.price_per_kwh
        total = 0.0
        cache: dict[float, tuple[float, float]] = {}
        for start, duration, wh in buckets:
            if wh == 0.0 or duration <= 0:
                continue
            end = start + duration
            t = start
            while t < end:
                hit = cache.get(t)
                if hit is None:
                    hit = cache[t] = self._price_until_next_hour(t, zone)
                price, boundary = hit
                seg_end = min(end, boundary)
                total += wh * (seg_end - t) / duration / 1000.0 * price
                t = seg_end
        return total

    def _price_until_next_hour(self, t: float, zone: tzinfo) -> tuple[float, float]:
        local = datetime.fromtimestamp(t, UTC).astimezone(zone)
        offset = local.utcoffset()
        offset_s = offset.total_seconds() if offset is not None else 0.0
        boundary = t + HOUR_S - (t + offset_s) % HOUR_S
        return self.price_at(local), boundary


def _describe_days(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if ordered == list(range(7)):
        return "Mon-Sun"
    if ordered and ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{DAY_NAMES[ordered[0]].title()}-{DAY_NAMES[ordered[-1]].title()}"
    return ",".join(DAY_NAMES[d].title() for d in ordered)


_LINE = re.compile(
    r"^\s*(?P<days>[A-Za-z,\-]+)\s+(?P<start>\d{1,2})-(?P<end>\d{1,2})\s+(?P<price>\S+)\s*$"
)


def _parse_days(text: str, line_no: int) -> frozenset[int]:
    days: set[int] = set()
    for part in text.lower().split(","):
        names = part.split("-")
        if len(names) > 2 or any(name[:3] not in DAY_NAMES for name in names):
            raise TariffError(f"line {line_no}: {part!r} is not a day or day range like Mon-Fri")
        first = DAY_NAMES.index(names[0][:3])
        last = DAY_NAMES.index(names[-1][:3])
        day = first
        while True:
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    return frozenset(days)


def parse_periods(text: str) -> tuple[TouPeriod, ...]:
    """Periods from lines like "Mon-Fri 22-6 0.18" (days, hours start-end, price per kWh)."""
    periods = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise TariffError(
                f"line {line_no}: write a period as days, hours and price, e.g. 'Mon-Fri 22-6 0.18'"
            )
        start, end = int(match["start"]), int(match["end"])
        if not (0 <= start <= 23 and 0 <= end <= 24) or start == end:
            raise TariffError(
                f"line {line_no}: hours run from 0 to 24 and differ (0-24 is the whole day)"
            )
        try:
            price = float(match["price"])
        except ValueError:
            raise TariffError(f"line {line_no}: {match['price']!r} is not a price") from None
        if not price >= 0 or price == float("inf"):
            raise TariffError(f"line {line_no}: the price must be zero or more")
        periods.append(TouPeriod(_parse_days(match["days"], line_no), start, end, price))
    return tuple(periods)


def format_periods(periods: Iterable[TouPeriod]) -> str:
    """The text `parse_periods` reads back."""
    return "\n".join(period.describe() for period in periods)
