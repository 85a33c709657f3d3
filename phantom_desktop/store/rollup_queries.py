"""A port's recent past from the 1-minute rollups (and its open tail), and the always-on
baselines built on it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from phantom_desktop.core.baseline import (
    BASELINE_WINDOW_S,
    always_on_w,
    home_always_on_w,
    minute_floors,
)
from phantom_desktop.store.rollup_tail import edge, open_tail, split_at
from phantom_desktop.store.rollups import TABLE_1M
from phantom_desktop.store.sql_time import dialect_name, placeholder


@dataclass(frozen=True, slots=True)
class MinuteStat:
    start: datetime
    n: int
    min_w: float
    max_w: float
    mean_w: float
    standby_s: float
    off_s: float


def recent_minutes(
    conn: Connection, port_id: str, since: datetime, until: datetime | None = None
) -> list[MinuteStat]:
    """The port's minutes with readings in [since, until), its open tail included, oldest
    first."""
    mark = placeholder(dialect_name(conn))
    start = int(since.timestamp()) // 60 * 60
    end = int(until.timestamp()) if until is not None else 2**62
    tail = open_tail(conn, port_id)
    rows: list[Any] = list(
        conn.exec_driver_sql(
            f"SELECT bucket, n, min_w, max_w, sum_w, standby_s, off_s FROM {TABLE_1M} "
            f"WHERE port_id = {mark} AND bucket >= {mark} AND bucket < {mark} AND n > 0 "
            "ORDER BY bucket",
            (port_id, start, split_at(tail, 60, end)),
        ).all()
    )
    rows += [
        (b, d.n, d.min_w, d.max_w, d.sum_w, d.standby_s, d.off_s)
        for b, d in edge(conn, TABLE_1M, 60, port_id, tail, start, end)
        if d.n > 0
    ]
    return [
        MinuteStat(datetime.fromtimestamp(b, UTC), n, lo, hi, total / n, standby_s, off_s)
        for b, n, lo, hi, total, standby_s, off_s in rows
    ]


def minute_levels(conn: Connection, port_id: str, start: float, end: float) -> list[float]:
    """The level each minute with readings held (`core.baseline.minute_floors`), for the
    minutes whose start is in [start, end) (epoch s), its open tail included."""
    mark = placeholder(dialect_name(conn))
    lo, hi = int(start), int(end)
    tail = open_tail(conn, port_id)
    rows: list[Any] = list(
        conn.exec_driver_sql(
            f"SELECT sum_w / n, min_w, max_w FROM {TABLE_1M} "
            f"WHERE port_id = {mark} AND bucket >= {mark} AND bucket < {mark} AND n > 0",
            (port_id, lo, split_at(tail, 60, hi)),
        ).all()
    )
    rows += [
        (d.sum_w / d.n, d.min_w, d.max_w)
        for _b, d in edge(conn, TABLE_1M, 60, port_id, tail, lo, hi)
        if d.n > 0
    ]
    if not rows:
        return []
    means, lows, highs = zip(*rows, strict=True)
    return [float(level) for level in minute_floors(means, lows, highs)]


def port_baseline_w(
    conn: Connection, port_id: str, now: datetime, window_s: float = BASELINE_WINDOW_S
) -> float:
    """The port's always-on floor over the `window_s` before `now`."""
    end = now.timestamp()
    return always_on_w(minute_levels(conn, port_id, end - window_s, end))


def home_baseline_w(
    conn: Connection, port_ids: Iterable[str], now: datetime, window_s: float = BASELINE_WINDOW_S
) -> tuple[float, dict[str, float]]:
    """The home's always-on floor (the sum of its ports') and each port's."""
    floors = {port_id: port_baseline_w(conn, port_id, now, window_s) for port_id in port_ids}
    return home_always_on_w(floors.values()), floors
