"""Retention: raw readings older than the configured days are deleted in small steps.

Rollups are kept forever. Each step deletes at most `STEP_ROWS` readings of one port in its
own short transaction, so the writer waits at most one step for the database. Readings whose
rollups are still being backfilled, and a port's open tail (`rollup_tail`), are never pruned.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, select

from phantom_desktop.store.models import Port
from phantom_desktop.store.rollup_backfill import pending
from phantom_desktop.store.rollup_tail import read_mark
from phantom_desktop.store.sql_time import bind_timestamp, dialect_name

STEP_ROWS = 5_000
PAUSE_S = 0.05


def prune_step(conn: Connection, port_id: str, before: datetime, rows: int = STEP_ROWS) -> int:
    """Delete up to `rows` of the port's oldest readings before `before`; how many were."""
    dialect = dialect_name(conn)
    if dialect == "sqlite":
        sql = (
            "DELETE FROM power_readings WHERE id IN (SELECT id FROM power_readings "
            f"WHERE port_id = ? AND timestamp < ? ORDER BY timestamp LIMIT {int(rows)})"
        )
    else:
        sql = (
            "DELETE FROM power_readings WHERE port_id = %s AND timestamp < %s "
            f"ORDER BY timestamp LIMIT {int(rows)}"
        )
    return conn.exec_driver_sql(sql, (port_id, bind_timestamp(before, dialect))).rowcount


def _folded_before(conn: Connection, port_id: str, before: datetime) -> datetime:
    """`before`, or just after the port's rollup mark if earlier: the readings after the mark
    (its open tail) are not in the rollups yet."""
    mark = read_mark(conn, port_id)
    if mark is None:
        return before
    return min(before, datetime.fromtimestamp(mark[0], UTC) + timedelta(microseconds=1))


def prune(
    engine: Engine,
    keep_days: float,
    now: datetime,
    stop: threading.Event | None = None,
    pause_s: float = PAUSE_S,
) -> int:
    """Delete raw readings older than `keep_days` before `now`, step by step; how many."""
    before = now - timedelta(days=keep_days)
    with engine.connect() as conn:
        if pending(conn):
            return 0
        port_ids = list(conn.scalars(select(Port.id)))
    deleted = 0
    for port_id in port_ids:
        while stop is None or not stop.is_set():
            with engine.begin() as conn:
                count = prune_step(conn, port_id, _folded_before(conn, port_id, before))
            deleted += count
            if count < STEP_ROWS:
                break
            time.sleep(pause_s)  # let the writer in
    return deleted
