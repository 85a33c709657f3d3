"""A port's rhythm in the store: readings to learn it from, what was recognised, the override."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from phantom_desktop.core import baseline
from phantom_desktop.core.baseline import BASELINE_WINDOW_S
from phantom_desktop.core.detection import HYSTERESIS
from phantom_desktop.core.minute_phases import readings_from_minutes
from phantom_desktop.core.rhythm import PROGRAMME_WINDOW_S, Rhythm, RhythmOverride, RhythmTracker
from phantom_desktop.core.threshold import ThresholdSuggestion
from phantom_desktop.core.threshold_advice import advise_threshold
from phantom_desktop.store.models import Port, PowerReading
from phantom_desktop.store.repository import InvalidInput, get_port
from phantom_desktop.store.rollup_queries import recent_minutes

MAX_ROWS = 50_000
# What the writer reads raw when it meets a port: the newest readings (5.5 h at one every 2 s).
# The rest of the week comes from the 1-minute rollups: 10,000 rows at most.
RAW_ROWS = 10_000


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


def learning_readings(
    conn: Connection, port_id: str, threshold_w: float
) -> list[tuple[datetime, float]]:
    """A week of the port's past to learn its rhythm from, oldest first: its 1-minute rollups
    as stand-in readings, then its newest `RAW_ROWS` readings as they are."""
    raw = recent_power(conn, port_id, PROGRAMME_WINDOW_S, RAW_ROWS)
    if not raw:
        return []
    since = raw[-1][0] - timedelta(seconds=PROGRAMME_WINDOW_S)
    until = raw[0][0].replace(second=0, microsecond=0)
    older = readings_from_minutes(recent_minutes(conn, port_id, since, until), threshold_w)
    return [*older, *raw]


def always_on_w(conn: Connection, port_id: str) -> float | None:
    """The port's always-on floor over the 48 h up to its newest reading (None: no data)."""
    newest = conn.scalar(
        select(PowerReading.timestamp)
        .where(PowerReading.port_id == port_id)
        .order_by(PowerReading.timestamp.desc())
        .limit(1)
    )
    if newest is None:
        return None
    minutes = recent_minutes(conn, port_id, newest - timedelta(seconds=BASELINE_WINDOW_S))
    if not minutes:
        return None
    levels = baseline.minute_floors(
        [m.mean_w for m in minutes], [m.min_w for m in minutes], [m.max_w for m in minutes]
    )
    return baseline.always_on_w(levels)


def save_rhythm(conn: Connection, port_id: str, seen: str | None, since: datetime | None) -> None:
    """Record what the writer recognised on the port (None: no rhythm), for every window."""
    conn.execute(
        update(Port).where(Port.id == port_id).values(rhythm_seen=seen, rhythm_since=since)
    )


def set_rhythm_override(
    session: Session, user_id: str, port_id: str, override: RhythmOverride | str
) -> Port:
    """The owner's word over what detection recognised on the port (see `RhythmOverride`)."""
    if override not in tuple(RhythmOverride):
        choices = ", ".join(RhythmOverride)
        raise InvalidInput(f"a port's rhythm setting is one of {choices}, not {override!r}")
    port = get_port(session, user_id, port_id)
    port.rhythm_override = RhythmOverride(override)
    session.flush()
    return port


def recognised_rhythm(conn: Connection, port: Port) -> Rhythm:
    """The rhythm of the port's stored readings, judged on its current threshold."""
    tracker = RhythmTracker(port.threshold_w, port.threshold_w * (1.0 + HYSTERESIS))
    tracker.learn(learning_readings(conn, port.id, port.threshold_w))
    return tracker.rhythm


def with_advice(
    session: Session, port: Port, suggestion: ThresholdSuggestion
) -> ThresholdSuggestion:
    """Complete a threshold suggestion with the port's rhythm and always-on floor."""
    conn = session.connection()
    return advise_threshold(suggestion, recognised_rhythm(conn, port), always_on_w(conn, port.id))
