"""A port's recent readings, for the writer to learn its rhythm from when it starts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from phantom_desktop.store.models import PowerReading

# Enough for a week at one reading every 12 s, or two days at one every 3.5 s.
MAX_ROWS = 50_000


def recent_power(
    conn: Connection, port_id: str, window_s: float, max_rows: int = MAX_ROWS
) -> list[tuple[datetime, float]]:
    """(timestamp, power) of the port's newest readings within `window_s` of its newest one,
    oldest first; at most `max_rows`."""
    rows = conn.execute(
        select(PowerReading.timestamp, PowerReading.power)
        .where(PowerReading.port_id == port_id)
        .order_by(PowerReading.timestamp.desc())
        .limit(max_rows)
    ).all()
    if not rows:
        return []
    since = rows[0][0] - timedelta(seconds=window_s)
    return [(ts, power) for ts, power in reversed(rows) if ts >= since]
