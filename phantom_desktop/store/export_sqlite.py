"""SQLite's raw readings as finished CSV text: an hour of one port per query, two at once.

SQLite formats each line (`printf`) and joins the hour's lines (`group_concat`) within one
step of its VM, during which Python's sqlite3 releases the GIL: Python never sees a row, and
two worker connections keep two cores busy while the caller writes the hours in order.
Memory stays bounded: one hour of readings per query, at most `AHEAD` hours in flight.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from phantom_desktop.store.sql_time import bind_timestamp

WINDOW_S = 3600
WORKERS = 2
AHEAD = 4  # hours queried ahead of the one being written
_LINE = "printf('%s%s,%.7g,%.7g,%.7g,%s', ?, timestamp, voltage, current, power, source)"
# The aggregate reads its subquery in the subquery's order (SQLite never flattens an ordered
# subquery into an aggregate), so each hour's lines come out in time order.
_WINDOW = (
    f"SELECT count(*), group_concat(line, char(10)) FROM (SELECT {_LINE} AS line "
    "FROM power_readings WHERE port_id = ? AND timestamp >= ? AND timestamp < ? "
    "ORDER BY timestamp)"
)
_EDGE = (
    "SELECT {}(timestamp) FROM power_readings "
    "WHERE port_id = ? AND timestamp >= ? AND timestamp < ?"
)

Job = tuple[str, str, object, object]  # line prefix, port id, window start, window end


def _jobs(
    conn: Connection, ports: Sequence[tuple[str, str]], start: datetime, end: datetime
) -> Iterator[Job]:
    """Each port's hour-aligned windows from its first to its last reading in [start, end)."""
    bounds = (bind_timestamp(start, "sqlite"), bind_timestamp(end, "sqlite"))
    for prefix, port_id in ports:
        # Two queries, not min() and max() in one: each alone is a single index seek.
        first = conn.exec_driver_sql(_EDGE.format("min"), (port_id, *bounds)).scalar()
        last = conn.exec_driver_sql(_EDGE.format("max"), (port_id, *bounds)).scalar()
        if first is None or last is None:
            continue
        edge = _epoch(first) // WINDOW_S * WINDOW_S
        while edge <= _epoch(last):
            low = max(start, datetime.fromtimestamp(edge, UTC))
            high = min(end, datetime.fromtimestamp(edge + WINDOW_S, UTC))
            yield prefix, port_id, bind_timestamp(low, "sqlite"), bind_timestamp(high, "sqlite")
            edge += WINDOW_S


def _epoch(stored: str) -> int:
    return int(datetime.fromisoformat(stored).replace(tzinfo=UTC).timestamp())


@contextmanager
def raw_csv_text(
    conn: Connection, ports: Sequence[tuple[str, str]], start: datetime, end: datetime
) -> Iterator[Iterator[tuple[int, str]]]:
    """(rows, text) per hour, in port then time order, for `ports` as (line prefix, port id):
    each line is the prefix followed by `timestamp,voltage,current,power,source` and ends with
    a newline. Leaving the context stops the queries still pending."""
    local = threading.local()
    opened: list[Any] = []

    def run(job: Job) -> tuple[int, str]:
        raw: Any = getattr(local, "raw", None)
        if raw is None:
            raw = local.raw = conn.engine.raw_connection()
            opened.append(raw)
        cursor = raw.cursor()
        try:
            cursor.execute(_WINDOW, job)
            count, text = cursor.fetchone()
        finally:
            cursor.close()
        return (int(count), f"{text}\n") if count else (0, "")

    pending: deque[Future[tuple[int, str]]] = deque()

    def hours() -> Iterator[tuple[int, str]]:
        for job in _jobs(conn, ports, start, end):
            pending.append(pool.submit(run, job))
            if len(pending) > AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="phantom-export-sql")
    try:
        yield hours()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
        for raw in opened:
            raw.close()
