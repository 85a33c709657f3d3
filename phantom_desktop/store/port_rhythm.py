"""A port's rhythm in the store: readings to learn it from, what was recognised, the override."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from phantom_desktop.core.detection import HYSTERESIS
from phantom_desktop.core.rhythm import PROGRAMME_WINDOW_S, Rhythm, RhythmOverride, RhythmTracker
from phantom_desktop.core.threshold import ThresholdSuggestion
from phantom_desktop.core.threshold_advice import advise_threshold
from phantom_desktop.store.models import Port, PowerReading
from phantom_desktop.store.repository import InvalidInput, get_port

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
    tracker.learn(recent_power(conn, port.id, PROGRAMME_WINDOW_S))
    return tracker.rhythm


def with_advice(
    session: Session, port: Port, suggestion: ThresholdSuggestion
) -> ThresholdSuggestion:
    """Complete a threshold suggestion with the port's rhythm."""
    rhythm = recognised_rhythm(session.connection(), port)
    return advise_threshold(suggestion, rhythm, None)
