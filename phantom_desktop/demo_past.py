"""The demo's past: the last hour of its appliances, stored before the live feed starts.

With a past, the demo opens as a real installation would after a while: the fridge's rhythm is
known from the first second (so its rests are not mistaken for standby) and the History view
has something to show. The past is made by the simulator's own appliances with the same seed
and port ids as the live feed, so they are the same appliances, at the same time compression.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

PAST_S = 3600.0


def seed_demo_past(
    conn: Connection,
    ports: list[tuple[str, str, str]],
    seed: int,
    now: datetime,
    interval_s: float,
    speed: float,
) -> int:
    """Store `PAST_S` of readings for each (port id, profile, label) ending at `now`; returns
    how many. `seed` and the label make the same appliance as the live feed's device."""
    from phantom_desktop.store.rollups import insert_readings_with_rollups
    from simulator.traces import labelled_trace

    count = int(PAST_S / interval_s)
    start = now - timedelta(seconds=count * interval_s)
    rows = [
        {
            "port_id": port_id,
            "timestamp": reading.timestamp,
            "voltage": reading.voltage,
            "current": reading.current,
            "power": reading.power,
            "source": "demo",
        }
        for port_id, profile, label in ports
        for reading in labelled_trace(
            profile, seed, start, interval_s, count, speed=speed, key=label
        )
    ]
    insert_readings_with_rollups(conn, rows)  # History and Energy show the past at once
    return len(rows)
