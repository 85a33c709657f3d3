"""Maintains the rollups in the transaction that stores the readings they summarise.

`RollupKeeper.apply(conn, rows, thresholds)` is called by the writer after it inserted a batch:
it integrates each port's new readings from the port's previous reading (cached; read from the
database after a restart or a failed batch), and adds the deltas to the 1-minute and 1-hour
tables with one multi-row upsert each. Upserts only add, so concurrent writers and the backfill
compose. Nothing is cached before the transaction commits (`forget` after a failure).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from phantom_desktop.core.rollup_math import Delta, Point, fold, minute_deltas
from phantom_desktop.store.models import Port, PowerReading
from phantom_desktop.store.multi_row import values_lists
from phantom_desktop.store.sql_time import bind_timestamp, dialect_name, epoch_us, placeholder

TABLE_1M = "power_rollups_1m"
TABLE_1H = "power_rollups_1h"
_COLUMNS = "port_id, bucket, n, min_w, max_w, sum_w, wh, standby_wh, standby_s, off_s"


_SQLITE_UPDATE = (
    "ON CONFLICT(port_id, bucket) DO UPDATE SET n = n + excluded.n, "
    "min_w = min(coalesce(min_w, excluded.min_w), coalesce(excluded.min_w, min_w)), "
    "max_w = max(coalesce(max_w, excluded.max_w), coalesce(excluded.max_w, max_w)), "
    "sum_w = sum_w + excluded.sum_w, wh = wh + excluded.wh, "
    "standby_wh = standby_wh + excluded.standby_wh, "
    "standby_s = standby_s + excluded.standby_s, off_s = off_s + excluded.off_s"
)
_MYSQL_UPDATE = (
    "ON DUPLICATE KEY UPDATE n = n + VALUES(n), "
    "min_w = LEAST(COALESCE(min_w, VALUES(min_w)), COALESCE(VALUES(min_w), min_w)), "
    "max_w = GREATEST(COALESCE(max_w, VALUES(max_w)), COALESCE(VALUES(max_w), max_w)), "
    "sum_w = sum_w + VALUES(sum_w), wh = wh + VALUES(wh), "
    "standby_wh = standby_wh + VALUES(standby_wh), "
    "standby_s = standby_s + VALUES(standby_s), off_s = off_s + VALUES(off_s)"
)


Row = tuple[str, int, int, float | None, float | None, float, float, float, float, float]


def _upsert(conn: Connection, table: str, rows: list[Row]) -> None:
    """Add these rows to the table: one multi-row upsert per chunk (`multi_row`)."""
    update = _SQLITE_UPDATE if dialect_name(conn) == "sqlite" else _MYSQL_UPDATE
    for text, params in values_lists(conn, rows):
        conn.exec_driver_sql(f"INSERT INTO {table} ({_COLUMNS}) VALUES {text} {update}", params)


def _rows(port_id: str, deltas: Mapping[int, Delta]) -> Iterator[Row]:
    for b in sorted(deltas):
        d = deltas[b]
        yield (port_id, b, d.n, d.min_w, d.max_w, d.sum_w, d.wh, d.standby_wh, d.standby_s, d.off_s)


def upsert_deltas(conn: Connection, minute: Mapping[str, dict[int, Delta]]) -> None:
    """Add per-port minute deltas (and their hour folds) to both tables."""
    rows_1m: list[Row] = []
    rows_1h: list[Row] = []
    # Rows in (port, bucket) order: concurrent MariaDB writers take row locks in one order.
    for port_id in sorted(minute):
        rows_1m.extend(_rows(port_id, minute[port_id]))
        rows_1h.extend(_rows(port_id, fold(minute[port_id])))
    if rows_1m:
        _upsert(conn, TABLE_1M, rows_1m)
        _upsert(conn, TABLE_1H, rows_1h)


def previous_reading(conn: Connection, port_id: str, before: datetime) -> Point | None:
    """The port's latest reading strictly before `before`, as (epoch s, watts)."""
    dialect = dialect_name(conn)
    mark = placeholder(dialect)
    row = conn.exec_driver_sql(
        f"SELECT {epoch_us(dialect, 'timestamp')}, power FROM power_readings "
        f"WHERE port_id = {mark} AND timestamp < {mark} ORDER BY timestamp DESC LIMIT 1",
        (port_id, bind_timestamp(before, dialect)),
    ).first()
    return None if row is None else (row[0] / 1e6, float(row[1]))


class RollupKeeper:
    """The writer's rollup state: each port's latest reading, as of the last committed batch."""

    def __init__(self) -> None:
        self._latest: dict[str, Point] = {}

    def forget(self) -> None:
        """A batch failed: re-read previous readings from the database on next use."""
        self._latest.clear()

    def apply(
        self, conn: Connection, rows: Sequence[Mapping[str, Any]], thresholds: Mapping[str, float]
    ) -> None:
        """Roll up inserted reading rows (dicts with port_id, timestamp, power)."""
        by_port: dict[str, list[Point]] = {}
        first: dict[str, datetime] = {}
        for row in rows:
            port_id, ts = row["port_id"], row["timestamp"]
            points = by_port.get(port_id)
            if points is None:
                points = by_port[port_id] = []
                first[port_id] = ts
            elif ts < first[port_id]:
                first[port_id] = ts
            points.append((ts.timestamp(), float(row["power"])))
        minute: dict[str, dict[int, Delta]] = {}
        latest: dict[str, Point | None] = {}
        for port_id, points in by_port.items():
            if len(points) > 1:
                points.sort()
            previous = self._latest.get(port_id)
            if previous is None:
                previous = previous_reading(conn, port_id, first[port_id])
            minute[port_id], latest[port_id] = minute_deltas(
                previous, points, thresholds.get(port_id, 0.0)
            )
        upsert_deltas(conn, minute)
        # Cached now and dropped by `forget` if the transaction fails after this point.
        for port_id, point in latest.items():
            if point is not None:
                self._latest[port_id] = point


def roll_up_points(
    conn: Connection,
    port_id: str,
    previous: Point | None,
    points: Iterable[Point],
    threshold_w: float,
) -> Point | None:
    """Roll up one port's sorted points after `previous` (backfill, benchmarks); new latest."""
    deltas, latest = minute_deltas(previous, points, threshold_w)
    upsert_deltas(conn, {port_id: deltas})
    return latest


def insert_readings_with_rollups(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert reading rows (writer-shaped dicts) and roll them up, in the caller's transaction.

    For readings stored outside the writer (the demo's seeded past, imports). A running writer
    must not be storing readings of the same ports at the same time.
    """
    if not rows:
        return
    port_ids = {row["port_id"] for row in rows}
    thresholds = dict(
        conn.execute(select(Port.id, Port.threshold_w).where(Port.id.in_(port_ids))).all()
    )
    conn.execute(insert(PowerReading), list(rows))
    RollupKeeper().apply(conn, rows, thresholds)
