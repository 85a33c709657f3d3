"""What the energy report needs from the database: energy per bucket, episodes and cuts.

Energy of a range is read from whole 1-hour rollups inside it and 1-minute rollups at its
ragged ends, plus each port's open tail (`rollup_tail`); a bucket belongs to the range its
start falls in (minute precision).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

import numpy as np
from sqlalchemy import Connection, and_, func, or_, select

from phantom_desktop.core.baseline import minute_floors
from phantom_desktop.core.energy_report import (
    EnergyBucket,
    EnergyRow,
    Episode,
    baseline_window,
    home_rows,
    port_rows,
)
from phantom_desktop.core.enums import EventAction
from phantom_desktop.core.periods import PeriodBy, period_bounds
from phantom_desktop.core.tariff import Tariff
from phantom_desktop.store.models import PhantomEvent
from phantom_desktop.store.rollup_models import Rollup1m
from phantom_desktop.store.rollup_tail import Tail, edge, open_tails, split_at
from phantom_desktop.store.rollups import TABLE_1H, TABLE_1M
from phantom_desktop.store.sql_time import dialect_name, placeholder


def energy_buckets(
    conn: Connection, port_id: str, start: float, end: float, tail: Tail
) -> list[EnergyBucket]:
    """Energy of the port in [start, end) (epoch s) as hour buckets plus minute edges, and
    the minutes of its open `tail` (`rollup_tail`)."""
    mark = placeholder(dialect_name(conn))

    def read(table: str, width: int, lo: int, hi: int) -> list[EnergyBucket]:
        if hi <= lo:
            return []
        rows = conn.exec_driver_sql(
            f"SELECT bucket, wh, standby_wh FROM {table} "
            f"WHERE port_id = {mark} AND bucket >= {mark} AND bucket < {mark}",
            (port_id, lo, hi),
        ).all()
        return [EnergyBucket(float(b), float(width), wh, standby) for b, wh, standby in rows]

    m0, m1 = math.ceil(start / 60) * 60, math.ceil(end / 60) * 60
    h0, h1 = math.ceil(start / 3600) * 3600, math.floor(end / 3600) * 3600
    open_minutes = [  # energy adds up: the tail's minutes are buckets of their own
        EnergyBucket(float(b), 60.0, d.wh, d.standby_wh) for b, d in tail.items() if m0 <= b < m1
    ]
    if h1 - h0 < 3600:
        return read(TABLE_1M, 60, m0, m1) + open_minutes
    return (
        read(TABLE_1M, 60, m0, h0)
        + read(TABLE_1H, 3600, h0, h1)
        + read(TABLE_1M, 60, h1, m1)
        + open_minutes
    )


def restored_at(conn: Connection, port_id: str, cut_at: float, tail: Tail) -> float | None:
    """When power came back after a cut (None: not yet), to the minute: the start of the first
    1-minute rollup (or minute of the open `tail`) after the cut's minute with a reading above
    zero. One index range scan; a minute's precision costs at most a minute of standby power
    per cut."""
    mark = placeholder(dialect_name(conn))
    after = int(cut_at) // 60 * 60
    bucket = conn.exec_driver_sql(
        f"SELECT bucket FROM {TABLE_1M} WHERE port_id = {mark} AND bucket > {mark} "
        "AND max_w > 0 ORDER BY bucket LIMIT 1",  # stops at the first (min() scans them all)
        (port_id, after),
    ).scalar()
    candidates = [b for b, d in tail.items() if b > after and d.max_w is not None and d.max_w > 0]
    if bucket is not None:
        candidates.append(int(bucket))
    return float(min(candidates)) if candidates else None


def episodes(
    conn: Connection, port_id: str, start: datetime, end: datetime, tail: Tail
) -> list[Episode]:
    """Episodes that overlap [start, end), and the last cut before it (it may still be off);
    `tail`: the port's open tail, for when power came back."""
    columns = (
        PhantomEvent.started_at,
        PhantomEvent.ended_at,
        PhantomEvent.power_w,
        PhantomEvent.wasted_wh,
        PhantomEvent.action,
    )
    overlapping = conn.execute(
        select(*columns).where(
            PhantomEvent.port_id == port_id,
            PhantomEvent.started_at < end,
            or_(PhantomEvent.ended_at.is_(None), PhantomEvent.ended_at >= start),
        )
    ).all()
    last_cut = conn.execute(
        select(*columns)
        .where(
            and_(
                PhantomEvent.port_id == port_id,
                PhantomEvent.action == EventAction.AUTO_CUT,
                PhantomEvent.ended_at < start,
            )
        )
        .order_by(PhantomEvent.ended_at.desc())
        .limit(1)
    ).all()
    out = []
    for started, ended, power, wasted, action in [*last_cut, *overlapping]:
        cut = action == EventAction.AUTO_CUT and ended is not None
        back = restored_at(conn, port_id, ended.timestamp(), tail) if cut and ended else None
        out.append(
            Episode(
                started.timestamp(),
                ended.timestamp() if ended is not None else None,
                power,
                wasted,
                cut,
                back,
            )
        )
    return out


def energy_report(
    conn: Connection,
    ports: Sequence[tuple[str, str]],
    start: datetime,
    end: datetime,
    by: PeriodBy,
    tariff: Tariff,
    zone: tzinfo,
    now: datetime,
) -> tuple[dict[str, list[EnergyRow]], list[EnergyRow]]:
    """Rows per port (id, name) and for the whole home, one per period of [start, end)."""
    periods = period_bounds(start, end, by, zone)
    t_now = now.timestamp()
    windows = [baseline_window(a.timestamp(), b.timestamp(), t_now) for a, b in periods]
    lo = min((w[0] for w in windows), default=0.0)
    hi = max((w[1] for w in windows), default=0.0)
    by_port = {}
    tails = open_tails(conn, [port_id for port_id, _name in ports])
    for port_id, name in ports:
        tail = tails[port_id]
        by_port[port_id] = port_rows(
            port_id,
            name,
            periods,
            energy_buckets(conn, port_id, start.timestamp(), end.timestamp(), tail),
            episodes(conn, port_id, start, end, tail),
            _MinuteLevels(conn, port_id, lo, hi, tail),
            tariff,
            zone,
            now.timestamp(),
        )
    return by_port, home_rows(by_port, tariff)


class _MinuteLevels:
    """The levels a port's minutes held over [lo, hi) (`baseline.minute_floors`), its open
    `tail` included, read once; called with sub-ranges (epoch s)."""

    def __init__(self, conn: Connection, port_id: str, lo: float, hi: float, tail: Tail) -> None:
        mark = placeholder(dialect_name(conn))
        start, end = int(lo), math.ceil(hi)
        split = split_at(tail, 60, end)
        cursor = conn.connection.cursor()
        try:
            cursor.execute(
                f"SELECT bucket, sum_w / n, min_w, max_w FROM {TABLE_1M} WHERE port_id = {mark} "
                f"AND bucket >= {mark} AND bucket < {mark} AND n > 0 ORDER BY bucket",
                (port_id, start, split),
            )
            rows = np.array(cursor.fetchall(), dtype=float).reshape(-1, 4)
        finally:
            cursor.close()
        edge_rows = [
            (bucket, d.sum_w / d.n, d.min_w, d.max_w)
            for bucket, d in edge(conn, TABLE_1M, 60, port_id, tail, start, end)
            if d.n > 0
        ]
        if edge_rows:
            rows = np.vstack([rows, np.array(edge_rows, dtype=float)])
        self._t = rows[:, 0]
        self._level = minute_floors(rows[:, 1], rows[:, 2], rows[:, 3])

    def __call__(self, start: float, end: float) -> np.ndarray:
        a, b = np.searchsorted(self._t, [start, end])
        return self._level[a:b]


def first_rollup_at(conn: Connection) -> datetime | None:
    """The oldest rolled-up minute of any port (where "all time" starts)."""
    value = conn.execute(select(func.min(Rollup1m.bucket))).scalar()
    return None if value is None else datetime.fromtimestamp(value, UTC)
