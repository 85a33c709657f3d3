"""Read models for the devices and ports views, and the data behind "Suggest threshold".

Each view's rows come from a few queries whatever the number of readings: the latest reading
of a port is found with one index seek on (port_id, timestamp), never by scanning readings.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.selectable import Exists, ScalarSelect

from phantom_desktop.core.enums import PortStatus, TokenState
from phantom_desktop.core.threshold import ThresholdSuggestion, suggest_threshold
from phantom_desktop.store import port_rhythm
from phantom_desktop.store.models import (
    Device,
    DeviceToken,
    Notification,
    PhantomEvent,
    Port,
    PowerReading,
)
from phantom_desktop.store.repository import InvalidInput, get_port

# A token as device_summaries reads it: prefix, revoked at, last used at.
_TokenRow = tuple[str, datetime | None, datetime | None]


@dataclass(frozen=True, slots=True)
class DeviceSummary:
    """A row of the devices view."""

    id: str
    name: str
    created_at: datetime
    port_count: int
    last_reading_at: datetime | None
    token_state: TokenState
    token_prefix: str | None  # newest active token's, else the newest revoked one's
    token_last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class PortSummary:
    """A row of the ports view."""

    id: str
    name: str
    device_id: str | None
    device_name: str | None
    threshold_w: float
    min_duration_s: float
    auto_cut: bool
    status: PortStatus
    latest_power_w: float | None
    last_reading_at: datetime | None
    in_phantom: bool  # a phantom event is open (standby going on now)
    rhythm_override: str = "auto"  # the owner's word (core.rhythm.RhythmOverride)
    rhythm_seen: str | None = None  # what the writer recognised, e.g. "cycling, ~40 min rhythm"
    rhythm_since: datetime | None = None


def _latest_reading_id(port_id_column: InstrumentedAttribute[str]) -> ScalarSelect[int]:
    """Correlated subquery: id of the port's newest reading (an index seek, backwards)."""
    return (
        select(PowerReading.id)
        .where(PowerReading.port_id == port_id_column)
        .order_by(PowerReading.timestamp.desc(), PowerReading.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _open_event_exists(port_id_column: InstrumentedAttribute[str]) -> Exists:
    return (
        select(PhantomEvent.id)
        .where(PhantomEvent.port_id == port_id_column, PhantomEvent.ended_at.is_(None))
        .exists()
    )


def port_summaries(
    session: Session, user_id: str, port_ids: Collection[str] | None = None
) -> list[PortSummary]:
    """The user's ports by name, with their device and latest reading; one query.

    `port_ids` limits the rows (to refresh a few rows of the view in place).
    """
    newest_query = select(
        Port.id.label("port_id"), _latest_reading_id(Port.id).label("reading_id")
    ).where(Port.user_id == user_id)
    if port_ids is not None:
        newest_query = newest_query.where(Port.id.in_(list(port_ids)))
    newest = newest_query.subquery()
    latest = aliased(PowerReading)
    query = (
        select(
            Port.id,
            Port.name,
            Port.device_id,
            Device.name,
            Port.threshold_w,
            Port.min_duration_s,
            Port.auto_cut,
            Port.status,
            latest.power,
            latest.timestamp,
            _open_event_exists(Port.id),
            Port.rhythm_override,
            Port.rhythm_seen,
            Port.rhythm_since,
        )
        .join(newest, newest.c.port_id == Port.id)
        .outerjoin(Device, Device.id == Port.device_id)
        .outerjoin(latest, latest.id == newest.c.reading_id)
        .order_by(Port.name)
    )
    return [
        PortSummary(
            port_id,
            name,
            device_id,
            device_name,
            threshold_w,
            min_duration_s,
            auto_cut,
            status,
            power,
            timestamp,
            bool(in_phantom),
            rhythm_override,
            rhythm_seen,
            rhythm_since,
        )
        for (
            port_id,
            name,
            device_id,
            device_name,
            threshold_w,
            min_duration_s,
            auto_cut,
            status,
            power,
            timestamp,
            in_phantom,
            rhythm_override,
            rhythm_seen,
            rhythm_since,
        ) in session.execute(query)
    ]


def device_summaries(
    session: Session, user_id: str, device_ids: Collection[str] | None = None
) -> list[DeviceSummary]:
    """The user's devices by name, with port count, last reading and token state; 3 queries."""
    devices = select(Device.id, Device.name, Device.created_at).where(Device.user_id == user_id)
    if device_ids is not None:
        devices = devices.where(Device.id.in_(list(device_ids)))
    rows = session.execute(devices.order_by(Device.name)).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]

    # ORDER BY … LIMIT 1 rather than max(): MariaDB scans the whole range for a correlated max.
    last_reading = (
        select(PowerReading.timestamp)
        .where(PowerReading.port_id == Port.id)
        .order_by(PowerReading.timestamp.desc())
        .limit(1)
        .scalar_subquery()
    )
    port_counts: dict[str, int] = {}
    last_at: dict[str, datetime] = {}
    for device_id, ts in session.execute(
        select(Port.device_id, last_reading).where(Port.device_id.in_(ids))
    ):
        if device_id is None:  # not reached: the query asks for these devices' ports
            continue
        port_counts[device_id] = port_counts.get(device_id, 0) + 1
        if ts is not None and (device_id not in last_at or ts > last_at[device_id]):
            last_at[device_id] = ts

    tokens: dict[str, list[_TokenRow]] = {}
    for device_id, prefix, revoked_at, last_used_at in session.execute(
        select(
            DeviceToken.device_id,
            DeviceToken.prefix,
            DeviceToken.revoked_at,
            DeviceToken.last_used_at,
        )
        .where(DeviceToken.device_id.in_(ids))
        .order_by(DeviceToken.created_at.desc(), DeviceToken.id.desc())
    ):
        tokens.setdefault(device_id, []).append((prefix, revoked_at, last_used_at))

    out = []
    for device_id, name, created_at in rows:
        state, token_prefix, used = _token_state(tokens.get(device_id, []))
        out.append(
            DeviceSummary(
                device_id,
                name,
                created_at,
                port_counts.get(device_id, 0),
                last_at.get(device_id),
                state,
                token_prefix,
                used,
            )
        )
    return out


def _token_state(
    newest_first: list[_TokenRow],
) -> tuple[TokenState, str | None, datetime | None]:
    if not newest_first:
        return TokenState.NONE, None, None
    active = [t for t in newest_first if t[1] is None]
    prefix, _revoked, last_used = (active or newest_first)[0]
    return (TokenState.ACTIVE if active else TokenState.REVOKED), prefix, last_used


def recent_powers(
    session: Session, user_id: str, port_id: str, hours: float = 48.0, limit: int = 500_000
) -> tuple[list[float], datetime | None]:
    """Non-zero powers of the `hours` up to the port's latest reading, and that reading's time.

    Counted back from the latest reading rather than from now, so a port that went quiet
    yesterday still has its last two days to judge. At most the newest `limit` readings.
    """
    if not hours > 0:
        raise InvalidInput("the period must be a positive number of hours")
    port = get_port(session, user_id, port_id)
    latest = session.scalar(
        select(func.max(PowerReading.timestamp)).where(PowerReading.port_id == port.id)
    )
    if latest is None:
        return [], None
    powers = session.scalars(
        select(PowerReading.power)
        .where(
            PowerReading.port_id == port.id,
            PowerReading.timestamp >= latest - timedelta(hours=hours),
            PowerReading.power > 0,
        )
        .order_by(PowerReading.timestamp.desc())
        .limit(limit)
    ).all()
    return list(powers), latest


def suggest_port_threshold(
    session: Session, user_id: str, port_id: str, hours: float = 48.0
) -> ThresholdSuggestion:
    """ "Suggest threshold" for a port: its recent readings judged by `core.threshold`, with
    its rhythm and always-on floor (`port_rhythm.with_advice`)."""
    port = get_port(session, user_id, port_id)
    powers, latest = recent_powers(session, user_id, port_id, hours)
    window = f"the {hours:g} h up to its latest reading" if latest else f"the last {hours:g} h"
    if latest is not None:
        window += f" ({latest:%Y-%m-%d %H:%M} UTC)"
    suggestion = suggest_threshold(powers, window, current_threshold_w=port.threshold_w)
    return port_rhythm.with_advice(session, port, suggestion)


@dataclass(frozen=True, slots=True)
class StoredCounts:
    readings: int
    events: int
    notifications: int


def stored_counts(session: Session) -> StoredCounts:
    """How many readings, phantom events and notifications the database holds (all users)."""

    def count(model: type[PowerReading] | type[PhantomEvent] | type[Notification]) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return StoredCounts(count(PowerReading), count(PhantomEvent), count(Notification))
