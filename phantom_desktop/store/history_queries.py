"""History of ports' power over a range, at the resolution the span needs, as numpy arrays.

`Resolution.AUTO` picks raw readings for spans up to 30 minutes, 1-minute rollups up to a day
(26 hours) and 1-hour rollups beyond, and no port ever returns more than `MAX_POINTS` points: longer
results are folded (min of mins, max of maxes, mean weighted by count) into that many.
Rows are read with the driver's own cursor (MariaDB's as one text per column, parsed by numpy) and
times computed in SQL: no Python object per row on MariaDB, one tuple per row on SQLite.
A port's open tail (`rollup_tail`) is merged into its last rollup buckets.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from phantom_desktop.core.enums import EventAction
from phantom_desktop.store.models import Port
from phantom_desktop.store.rollup_tail import Tail, edge, open_tails, split_at
from phantom_desktop.store.rollups import TABLE_1H, TABLE_1M
from phantom_desktop.store.sql_time import bind_timestamp, dialect_name, epoch_us, placeholder

Array = np.ndarray
MAX_POINTS = 1200  # about one per pixel column; each carries its min and max
RAW_MAX_SPAN_S = 1800.0
MINUTE_MAX_SPAN_S = 26 * 3600.0
SQL_FOLD = 2  # rollup ranges beyond this many times the points are folded by the database


class Resolution(StrEnum):
    AUTO = "auto"
    RAW = "raw"
    MINUTE = "1m"
    HOUR = "1h"


def choose_resolution(span_s: float) -> Resolution:
    if span_s <= RAW_MAX_SPAN_S:
        return Resolution.RAW
    if span_s <= MINUTE_MAX_SPAN_S:
        return Resolution.MINUTE
    return Resolution.HOUR


class Cancelled(Exception):
    """A newer request made this one pointless."""


@dataclass(frozen=True, slots=True)
class Series:
    """One port's points: times (epoch s, bucket starts for rollups) and min/mean/max watts."""

    port_id: str
    resolution: Resolution
    t: np.ndarray
    mean: np.ndarray
    min: np.ndarray
    max: np.ndarray
    grouped: bool = False  # raw readings folded into groups: min and max differ from mean

    @property
    def banded(self) -> bool:
        """Whether min and max say more than the mean (rollups, or folded readings)."""
        return self.resolution is not Resolution.RAW or self.grouped

    def __len__(self) -> int:
        return int(self.t.size)

    def to_json(self) -> list[dict[str, object]]:

        def iso(t: float) -> str:
            return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")

        if not self.banded:
            return [
                {"t": iso(t), "power": round(float(p), 4)}
                for t, p in zip(self.t, self.mean, strict=True)
            ]
        return [
            {"t": iso(t), "min": float(lo), "mean": round(float(m), 4), "max": float(hi)}
            for t, lo, m, hi in zip(self.t, self.min, self.mean, self.max, strict=True)
        ]


def _fold(
    t: Array, n: Array, lo: Array, hi: Array, total: Array, max_points: int
) -> tuple[Array, Array, Array, Array, Array]:
    """Merge consecutive points into at most `max_points` groups."""
    size = t.size
    if size <= max_points:
        return t, n, lo, hi, total
    group = math.ceil(size / max_points)
    starts = np.arange(0, size, group)
    return (
        t[starts],
        np.add.reduceat(n, starts),
        np.minimum.reduceat(lo, starts),
        np.maximum.reduceat(hi, starts),
        np.add.reduceat(total, starts),
    )


def _columns(
    cursor: Any, dialect: str, sql: str, params: tuple[Any, ...], width: int
) -> np.ndarray:
    """The rows of `sql` (`width` columns c0, c1, ...; c0 the time) as a float array, oldest
    first; a NULL would misalign MariaDB's columns, so the queries select none.

    SQLite's rows come as tuples (its driver is C). PyMySQL decodes each row in Python (~12 us),
    so MariaDB sends each column as one comma-separated text instead, which numpy parses: the
    aggregates see the rows in one pass, so the columns stay aligned, and are sorted here.
    """
    if dialect == "sqlite":
        cursor.execute(f"{sql} ORDER BY c0", params)
        rows = cursor.fetchall()
        # fromiter over the flattened tuples: 40 % less time than np.array on the list
        values = itertools.chain.from_iterable(rows)
        return np.fromiter(values, dtype=float, count=len(rows) * width).reshape(-1, width)
    texts = ", ".join(f"GROUP_CONCAT(c{i})" for i in range(width))
    cursor.execute(f"SELECT {texts} FROM ({sql}) AS q", params)
    row = cursor.fetchone()
    if row is None or row[0] is None:
        return np.empty((0, width))
    table = np.column_stack([np.fromstring(text, sep=",") for text in row])
    return table[np.argsort(table[:, 0], kind="stable")]


def _raw(cursor: Any, dialect: str, port_id: str, start: datetime, end: datetime) -> np.ndarray:
    mark = placeholder(dialect)
    sql = (
        f"SELECT {epoch_us(dialect, 'timestamp')} AS c0, power AS c1 FROM power_readings "
        f"WHERE port_id = {mark} AND timestamp >= {mark} AND timestamp < {mark}"
    )
    bounds = (bind_timestamp(start, dialect), bind_timestamp(end, dialect))
    return _columns(cursor, dialect, sql, (port_id, *bounds), 2)


def _rollup(
    conn: Connection,
    cursor: Any,
    dialect: str,
    table: str,
    width: int,
    port_id: str,
    start: datetime,
    end: datetime,
    max_points: int,
    tail: Tail,
) -> np.ndarray:
    """Rollup rows of [start, end), the port's open `tail` merged into the last; when there
    would be more than `SQL_FOLD` times `max_points` buckets, the database merges runs of them
    (the same fold as `_fold`, with fewer rows to transfer). Below that, reading the rows and
    folding them in numpy costs less than the database's grouping (a temporary B-tree): 16
    ports x a day of minutes, 50 against 75 ms."""
    mark = placeholder(dialect)
    first = int(start.timestamp()) // width * width
    last = math.ceil(end.timestamp())
    buckets = (last - first) / width
    group = math.ceil(buckets / max_points) * width
    where = f"WHERE port_id = {mark} AND bucket >= {mark} AND bucket < {mark} AND n > 0"
    split = split_at(tail, width, last)
    if buckets <= SQL_FOLD * max_points:  # few enough: no grouping, no temporary table
        sql = (
            "SELECT bucket AS c0, n AS c1, min_w AS c2, max_w AS c3, sum_w AS c4 "
            f"FROM {table} {where}"
        )
    else:
        divide = "/" if dialect == "sqlite" else "DIV"
        sql = (
            "SELECT min(bucket) AS c0, sum(n) AS c1, min(min_w) AS c2, max(max_w) AS c3, "
            f"sum(sum_w) AS c4 FROM {table} {where} GROUP BY (bucket - {first}) {divide} {group}"
        )
    rows = _columns(cursor, dialect, sql, (port_id, first, split), 5)
    edge_rows = [
        (bucket, d.n, d.min_w, d.max_w, d.sum_w)
        for bucket, d in edge(conn, table, width, port_id, tail, first, last)
        if d.n > 0
    ]
    return np.vstack([rows, np.array(edge_rows, dtype=float)]) if edge_rows else rows


def fetch_series(
    conn: Connection,
    port_ids: Sequence[str],
    start: datetime,
    end: datetime,
    resolution: Resolution = Resolution.AUTO,
    max_points: int = MAX_POINTS,
    cancelled: Callable[[], bool] | None = None,
    on_port: Callable[[int], None] | None = None,
) -> dict[str, Series]:
    """Each port's series over [start, end); raises Cancelled between ports if asked to;
    `on_port(n)` is told after each of them."""
    if resolution is Resolution.AUTO:
        resolution = choose_resolution((end - start).total_seconds())
    dialect = dialect_name(conn)
    tails = open_tails(conn, port_ids) if resolution is not Resolution.RAW else {}
    cursor = conn.connection.cursor()
    out: dict[str, Series] = {}
    try:
        if dialect == "mysql":  # room for a port's column of 30 min of readings at 10 Hz or more
            cursor.execute("SET SESSION group_concat_max_len = 67108864")
        for port_id in port_ids:
            if cancelled is not None and cancelled():
                raise Cancelled
            if resolution is Resolution.RAW:
                rows = _raw(cursor, dialect, port_id, start, end)
                t, p = rows[:, 0] / 1e6, rows[:, 1]
                t, n, lo, hi, total = _fold(t, np.ones_like(p), p, p, p, max_points)
            else:
                table, width = (
                    (TABLE_1M, 60) if resolution is Resolution.MINUTE else (TABLE_1H, 3600)
                )
                tail = tails[port_id]
                rows = _rollup(
                    conn, cursor, dialect, table, width, port_id, start, end, max_points, tail
                )
                t, n, lo, hi, total = _fold(
                    rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4], max_points
                )
            mean = np.divide(total, n, out=np.zeros_like(total), where=n > 0)
            grouped = resolution is Resolution.RAW and bool((n > 1).any())
            out[port_id] = Series(port_id, resolution, t, mean, lo, hi, grouped)
            if on_port is not None:
                on_port(len(out))
    finally:
        cursor.close()
    return out


def phantom_events(
    conn: Connection, port_ids: Sequence[str], start: datetime, end: datetime
) -> dict[str, list[tuple[float, float | None, bool]]]:
    """Each port's events overlapping [start, end): (started, ended or None, cut) in epoch
    seconds, oldest first. Times are computed in SQL and rows read with the driver's cursor:
    a month of 16 ports is ~2,000 events, which the ORM's per-value conversions made 40 ms."""
    out: dict[str, list[tuple[float, float | None, bool]]] = {p: [] for p in port_ids}
    if not port_ids:
        return out
    dialect = dialect_name(conn)
    mark = placeholder(dialect)
    sql = (
        f"SELECT port_id, {epoch_us(dialect, 'started_at')}, {epoch_us(dialect, 'ended_at')}, "
        f"action FROM phantom_events WHERE port_id IN ({', '.join([mark] * len(port_ids))}) "
        f"AND started_at < {mark} AND (ended_at IS NULL OR ended_at >= {mark}) "
        "ORDER BY started_at"
    )
    cursor = conn.connection.cursor()
    try:
        cursor.execute(
            sql, (*port_ids, bind_timestamp(end, dialect), bind_timestamp(start, dialect))
        )
        rows = cursor.fetchall()
    finally:
        cursor.close()
    for port_id, started, ended, action in rows:
        out[port_id].append(
            (started / 1e6, None if ended is None else ended / 1e6, action == EventAction.AUTO_CUT)
        )
    return out


def user_ports(conn: Connection, user_id: str) -> list[tuple[str, str]]:
    """(id, name) of the user's ports, by name: what the History and Energy views list."""
    query = select(Port.id, Port.name).where(Port.user_id == user_id).order_by(Port.name)
    return [(row[0], row[1]) for row in conn.execute(query)]
