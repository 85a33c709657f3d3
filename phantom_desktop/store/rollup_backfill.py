"""Rolls up readings stored before the rollup tables existed, in small committed chunks.

The upgrade that creates the tables records, per port, the readings to cover (ids up to the
newest at upgrade time); the writer rolls up everything after. Each step handles one chunk of
one port in its own short transaction, so a big database is filled in the background while the
app runs, and an interrupted backfill resumes where it stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, insert, select, update

from phantom_desktop.store.models import Port, PowerReading
from phantom_desktop.store.rollup_models import RollupBackfill
from phantom_desktop.store.rollups import roll_up_points
from phantom_desktop.store.sql_time import bind_timestamp, dialect_name, epoch_us, placeholder

log = logging.getLogger(__name__)

CHUNK = 50_000
INLINE_LIMIT = 200_000  # an upgrade rolls up this many readings at once; more go to background


@dataclass(frozen=True, slots=True)
class BackfillProgress:
    fraction: float  # 0..1 over the time span of all ports' old readings
    ports_left: int


def plan(conn: Connection) -> int:
    """Record what to backfill for every port with readings; returns the newest reading id."""
    max_id = conn.scalar(select(func.max(PowerReading.id)))
    if max_id is None:
        return 0
    for (port_id,) in conn.execute(select(Port.id)):
        first = conn.scalar(
            select(func.min(PowerReading.timestamp)).where(PowerReading.port_id == port_id)
        )
        if first is None:
            continue
        last = conn.scalar(
            select(func.max(PowerReading.timestamp)).where(PowerReading.port_id == port_id)
        )
        if last is None:
            continue
        conn.execute(
            insert(RollupBackfill).values(
                port_id=port_id,
                max_id=max_id,
                first_ts=first.timestamp(),
                last_ts=last.timestamp(),
                done=False,
            )
        )
    return int(max_id)


def progress(conn: Connection) -> BackfillProgress | None:
    """How far the backfill is; None when nothing is left."""
    rows = conn.execute(
        select(
            RollupBackfill.first_ts,
            RollupBackfill.last_ts,
            RollupBackfill.cursor_ts,
            RollupBackfill.done,
        )
    ).all()
    left = sum(1 for r in rows if not r.done)
    if not left:
        return None
    total = sum(max(r.last_ts - r.first_ts, 1.0) for r in rows)
    covered = sum(
        max(r.last_ts - r.first_ts, 1.0) if r.done else (r.cursor_ts or r.first_ts) - r.first_ts
        for r in rows
    )
    return BackfillProgress(min(1.0, covered / total), left)


def step(conn: Connection, chunk: int = CHUNK) -> bool:
    """Roll up the next chunk of one port; False when nothing is left."""
    b = RollupBackfill
    state = conn.execute(
        select(b.port_id, b.max_id, b.cursor_ts, b.cursor_id, b.cursor_power, Port.threshold_w)
        .join(Port, Port.id == RollupBackfill.port_id)
        .where(RollupBackfill.done.is_(False))
        .order_by(RollupBackfill.port_id)
        .limit(1)
    ).first()
    if state is None:
        return False
    threshold = state.threshold_w
    dialect = dialect_name(conn)
    mark = placeholder(dialect)
    sql = (
        f"SELECT {epoch_us(dialect, 'timestamp')}, power, id FROM power_readings "
        f"WHERE port_id = {mark} AND id <= {mark}"
    )
    params: list[object] = [state.port_id, state.max_id]
    previous = None
    if state.cursor_ts is not None:
        at = bind_timestamp(datetime.fromtimestamp(state.cursor_ts, UTC), dialect)
        sql += f" AND (timestamp > {mark} OR (timestamp = {mark} AND id > {mark}))"
        params += [at, at, state.cursor_id]
        previous = (state.cursor_ts, state.cursor_power)
    sql += f" ORDER BY timestamp, id LIMIT {int(chunk)}"
    rows = conn.exec_driver_sql(sql, tuple(params)).fetchall()
    points = [(us / 1e6, float(power)) for us, power, _id in rows]
    roll_up_points(conn, state.port_id, previous, points, threshold)
    values: dict[str, object] = {"done": len(rows) < chunk}
    if rows:
        values.update(cursor_ts=points[-1][0], cursor_id=rows[-1][2], cursor_power=points[-1][1])
    conn.execute(
        update(RollupBackfill).where(RollupBackfill.port_id == state.port_id).values(**values)
    )
    return True


def run(
    engine: Engine,
    on_progress: Callable[[BackfillProgress], None] | None = None,
    stop: threading.Event | None = None,
    chunk: int = CHUNK,
) -> bool:
    """Backfill to the end (True) or until `stop` is set (False), one transaction per chunk."""
    while stop is None or not stop.is_set():
        with engine.begin() as conn:
            if not step(conn, chunk):
                return True
            state = progress(conn) if on_progress is not None else None
        if on_progress is not None and state is not None:
            on_progress(state)
    return False


def pending(conn: Connection) -> bool:
    left = conn.scalar(
        select(func.count()).select_from(RollupBackfill).where(RollupBackfill.done.is_(False))
    )
    return bool(left)


def run_inline_if_small(conn: Connection, max_id: int) -> None:
    """During the upgrade: roll up a small database at once (tests, fresh installs)."""
    if max_id > INLINE_LIMIT:
        log.info("rolling up %d stored readings in the background", max_id)
        return
    while step(conn):
        pass
