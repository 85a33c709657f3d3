"""Calendar periods in the user's local time: days, weeks (from Monday) and months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum


class PeriodBy(StrEnum):
    ALL = "all"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _next_start(day: date, by: PeriodBy) -> date:
    if by is PeriodBy.DAY:
        return day + timedelta(days=1)
    if by is PeriodBy.WEEK:
        return day + timedelta(days=7 - day.weekday())
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def period_bounds(
    start: datetime, end: datetime, by: PeriodBy, zone: tzinfo
) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at local period boundaries (DST-correct); the first and last are partial."""
    if end <= start:
        return []
    if by is PeriodBy.ALL:
        return [(start, end)]
    bounds = []
    cursor = start
    day = start.astimezone(zone).date()
    while cursor < end:
        day = _next_start(day, by)
        boundary = min(end, _local_midnight(day, zone))
        if boundary > cursor:
            bounds.append((cursor, boundary))
        cursor = boundary
    return bounds
