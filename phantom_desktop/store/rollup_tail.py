"""Each port's open tail: its readings not yet folded into the rollup tables.

`rollup_marks` holds, per port, the newest reading the tables include (epoch microseconds and
watts). The readings after it (at most about a minute of them while the port reports) are the
tail; `open_tails` turns them into minute deltas with the same arithmetic the writer folds
with, and `edge` merges them with the tables' last buckets, so that every reader sees exactly
what the raw readings say. See `rollups` for when tails are folded.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from phantom_desktop.core.rollup_math import Delta, Point, fold, minute_deltas
from phantom_desktop.store.sql_time import bind_timestamp, dialect_name, epoch_us, placeholder

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Tail = dict[int, Delta]  # minute bucket start (epoch s) -> what the tables do not hold yet


def _at(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def read_mark(conn: Connection, port_id: str) -> Point | None:
    """The newest reading of the port that the rollup tables include (None: no mark)."""
    mark = placeholder(dialect_name(conn))
    row = conn.exec_driver_sql(
        f"SELECT t_us, power FROM rollup_marks WHERE port_id = {mark}", (port_id,)
    ).first()
    return None if row is None else (row[0] / 1e6, float(row[1]))


def tail_points(conn: Connection, port_id: str, mark: Point) -> list[Point]:
    """The port's readings after its mark, oldest first (ties in the order they were stored)."""
    dialect = dialect_name(conn)
    p = placeholder(dialect)
    rows = conn.exec_driver_sql(
        f"SELECT {epoch_us(dialect, 'timestamp')}, power FROM power_readings "
        f"WHERE port_id = {p} AND timestamp > {p} ORDER BY timestamp, id",
        (port_id, bind_timestamp(_at(round(mark[0] * 1e6)), dialect)),
    ).all()
    return [(us / 1e6, float(power)) for us, power in rows]


def tail_since(
    conn: Connection, port_id: str, mark: Point, threshold_w: float
) -> tuple[Tail, Point | None]:
    """The port's tail after `mark` as minute deltas, and its newest reading (the mark when
    the tail is empty)."""
    return minute_deltas(mark, tail_points(conn, port_id, mark), threshold_w)


def upsert_marks(conn: Connection, marks: Mapping[str, Point]) -> None:
    """Record each port's new mark (ports in order: one lock order for concurrent writers)."""
    if not marks:
        return
    dialect = dialect_name(conn)
    p = placeholder(dialect)
    update = (
        "ON CONFLICT(port_id) DO UPDATE SET t_us = excluded.t_us, power = excluded.power"
        if dialect == "sqlite"
        else "ON DUPLICATE KEY UPDATE t_us = VALUES(t_us), power = VALUES(power)"
    )
    rows = [
        (port_id, round(marks[port_id][0] * 1e6), marks[port_id][1]) for port_id in sorted(marks)
    ]
    values = ", ".join([f"({p}, {p}, {p})"] * len(rows))
    conn.exec_driver_sql(
        f"INSERT INTO rollup_marks (port_id, t_us, power) VALUES {values} {update}",
        tuple(v for row in rows for v in row),
    )


def open_tails(conn: Connection, port_ids: Collection[str]) -> dict[str, Tail]:
    """Each port's tail as minute deltas (empty: the tables hold everything)."""
    out: dict[str, Tail] = {port_id: {} for port_id in port_ids}
    if not port_ids:
        return out
    p = placeholder(dialect_name(conn))
    ids = sorted(port_ids)
    rows = conn.exec_driver_sql(
        "SELECT m.port_id, m.t_us, m.power, ports.threshold_w FROM rollup_marks AS m "
        f"JOIN ports ON ports.id = m.port_id WHERE m.port_id IN ({', '.join([p] * len(ids))})",
        tuple(ids),
    ).all()
    for port_id, t_us, power, threshold_w in rows:
        out[port_id] = tail_since(conn, port_id, (t_us / 1e6, float(power)), threshold_w)[0]
    return out


def open_tail(conn: Connection, port_id: str) -> Tail:
    return open_tails(conn, [port_id])[port_id]


def split_at(tail: Tail, width: int, hi: int) -> int:
    """Where a reader of buckets of `width` s below `hi` stops reading the table alone: the
    bucket of the tail's oldest minute (`hi` when the tail is empty or starts after it)."""
    if not tail:
        return hi
    return min(hi, min(tail) // width * width)


def edge(
    conn: Connection, table: str, width: int, port_id: str, tail: Tail, lo: int, hi: int
) -> list[tuple[int, Delta]]:
    """The port's buckets of `table` in [max(lo, split_at(...)), hi) with its tail merged in,
    oldest first: what a reader appends after reading the table up to `split_at`."""
    start = max(lo, split_at(tail, width, hi))
    if start >= hi:
        return []
    p = placeholder(dialect_name(conn))
    rows = conn.exec_driver_sql(
        "SELECT bucket, n, min_w, max_w, sum_w, wh, standby_wh, standby_s, off_s "
        f"FROM {table} WHERE port_id = {p} AND bucket >= {p} AND bucket < {p}",
        (port_id, start, hi),
    ).all()
    merged = {int(row[0]): Delta(*row[1:]) for row in rows}
    for bucket, delta in (tail if width == 60 else fold(tail, width)).items():
        if start <= bucket < hi:
            known = merged.setdefault(bucket, Delta())
            known.merge(delta)
    return sorted(merged.items())
