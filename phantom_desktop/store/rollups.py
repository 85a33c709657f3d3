"""Maintains the rollups in the transaction that stores the readings they summarise.

A port's rollups are its rows in the 1-minute and 1-hour tables plus its *open tail*: the
readings after its mark (`rollup_marks`: the newest reading folded into the tables), which
`rollup_tail` turns into minute deltas for every reader. The tables, the mark and the readings
change in one transaction, so tables + tail always equal the raw data, exactly, after a
restart too.

`RollupKeeper.apply(conn, rows, thresholds)` is called by the writer after it inserted a batch.
It integrates each port's new readings into the port's open tail (kept in memory; rebuilt from
the mark and the stored readings after a restart or a failed batch), and folds the tail into
the tables, and moves the mark, once the port's newest reading is in a later minute than its
mark: two upserted rows per port-minute instead of two per reading. A late reading (not newer
than the mark) is added to its buckets at once. Upserts only add, so concurrent writers of
other ports and the backfill compose.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from phantom_desktop.core.rollup_math import MINUTE_S, Delta, Point, fold, minute_deltas
from phantom_desktop.store.models import Port, PowerReading
from phantom_desktop.store.multi_row import values_lists
from phantom_desktop.store.rollup_tail import read_mark, tail_since, upsert_marks
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


@dataclass(slots=True)
class _Open:
    """A port's open tail: its mark (None: none stored yet), the deltas of the readings since,
    and its newest reading."""

    mark: Point | None
    latest: Point | None
    deltas: dict[int, Delta] = field(default_factory=dict)

    def extend(self, points: list[Point], threshold_w: float) -> None:
        """Add new points, sorted and newer than the tail's newest, to the tail."""
        _, self.latest = minute_deltas(self.latest, points, threshold_w, self.deltas)

    def due(self) -> bool:
        """Whether to fold the tail into the tables: its newest reading is in a later minute
        than the mark (or the port has no mark yet)."""
        if self.latest is None:
            return False
        return self.mark is None or self.latest[0] // MINUTE_S != self.mark[0] // MINUTE_S


def _reopen(conn: Connection, port_id: str, threshold_w: float) -> _Open:
    """The port's open tail as stored (this transaction's readings included)."""
    mark = read_mark(conn, port_id)
    if mark is None:
        return _Open(None, None)
    deltas, latest = tail_since(conn, port_id, mark, threshold_w)
    return _Open(mark, latest, deltas)


class RollupKeeper:
    """The writer's rollup state: each port's open tail, as of the last committed batch."""

    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}

    def forget(self) -> None:
        """A batch failed: re-read the open tails from the database on next use."""
        self._open.clear()

    def apply(
        self, conn: Connection, rows: Sequence[Mapping[str, Any]], thresholds: Mapping[str, float]
    ) -> None:
        """Roll up inserted reading rows (dicts with port_id, timestamp, power)."""
        by_port: dict[str, list[Point]] = {}
        for row in rows:
            point = (row["timestamp"].timestamp(), float(row["power"]))
            points = by_port.get(row["port_id"])
            if points is None:
                by_port[row["port_id"]] = [point]
            else:
                points.append(point)
        minute: dict[str, dict[int, Delta]] = {}
        moved: dict[str, Point] = {}
        for port_id, points in by_port.items():
            if len(points) > 1:
                points.sort()
            threshold = thresholds.get(port_id, 0.0)
            state = self._open.get(port_id)
            reopened = state is None
            if state is None:
                state = self._open[port_id] = _reopen(conn, port_id, threshold)
            if state.mark is not None and points[0][0] <= state.mark[0]:
                late = bisect_right(points, state.mark[0], key=lambda point: point[0])
                minute[port_id] = _statistics(points[:late])  # before the mark: no energy
                points = points[late:]
            # A reopened tail already holds this batch's readings (they are stored).
            if points and reopened and state.mark is None:  # never folded: from the one before
                state.latest = previous_reading(conn, port_id, _at(points[0][0]))
                state.extend(points, threshold)
            elif points and not reopened:
                if state.latest is not None and points[0][0] < state.latest[0]:
                    state = self._open[port_id] = _reopen(conn, port_id, threshold)  # recount
                else:
                    state.extend(points, threshold)
            if state.due():
                assert state.latest is not None
                target = minute.setdefault(port_id, {})
                for bucket, delta in state.deltas.items():
                    target.setdefault(bucket, Delta()).merge(delta)
                moved[port_id] = state.mark = state.latest
                state.deltas = {}
        upsert_deltas(conn, minute)
        upsert_marks(conn, moved)


def _statistics(points: Iterable[Point]) -> dict[int, Delta]:
    """Minute deltas of late readings: count, min, max and mean only."""
    deltas: dict[int, Delta] = {}
    for t, power in points:
        deltas.setdefault(int(t // MINUTE_S) * MINUTE_S, Delta()).add_reading(power)
    return deltas


def _at(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


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
