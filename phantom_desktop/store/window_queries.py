"""What the window reads and writes, run on its database worker (no Qt here).

Every function sees one user's rows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import and_, desc, or_, select, update
from sqlalchemy.orm import Session

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.store import port_rhythm, repository
from phantom_desktop.store.database import affected_rows
from phantom_desktop.store.models import (
    Notification,
    PhantomEvent,
    Port,
    PowerReading,
)
from phantom_desktop.store.summaries import PortSummary, port_summaries

RECENT_READ_ALERTS = 100
MAX_UNREAD_ALERTS = 400  # with the read ones, what the alerts panel keeps


@dataclass(frozen=True, slots=True)
class WindowPort:
    """One port as the window shows it: its rules, status and latest reading (None: none yet)."""

    id: str
    name: str
    device_id: str | None
    device_name: str | None
    threshold_w: float
    min_duration_s: float = 30.0
    auto_cut: bool = True
    status: PortStatus = PortStatus.ACTIVE  # as stored
    in_phantom: bool = False  # a phantom event is open on the live port (standby going on now)
    power: float | None = None
    voltage: float | None = None
    current: float | None = None
    last_reading_at: datetime | None = None
    rhythm_override: str = "auto"  # the owner's word (core.rhythm.RhythmOverride)
    rhythm_seen: str | None = None  # what detection recognised, e.g. "cycling, ~40 min rhythm"
    rhythm_since: datetime | None = None
    rhythm_note: str | None = None  # live: why the current low phase is not standby (yet)
    always_on_w: float | None = None  # its floor over the last 48 h (None: no data)


@dataclass(frozen=True, slots=True)
class AlertInfo:
    """One phantom notification as the alerts panel lists it."""

    notification_id: int
    port_id: str | None
    port_name: str
    time: datetime
    message: str
    is_read: bool = False


@dataclass(frozen=True, slots=True)
class PowerHistory:
    """Recent power of one port, oldest first; times in epoch seconds."""

    times: np.ndarray
    power: np.ndarray
    last_id: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the window needs at start."""

    ports: list[WindowPort]
    history: dict[str, PowerHistory] = field(default_factory=dict)
    alerts: list[AlertInfo] = field(default_factory=list)


def _latest_voltage_current(
    session: Session, ports: list[PortSummary]
) -> dict[str, tuple[float, float]]:
    """Voltage and current of each port's latest reading: one query, an index seek per port."""
    wanted = [(port.id, port.last_reading_at) for port in ports if port.last_reading_at]
    if not wanted:
        return {}
    rows = session.execute(
        select(PowerReading.port_id, PowerReading.voltage, PowerReading.current)
        .where(
            or_(
                *(
                    and_(PowerReading.port_id == port_id, PowerReading.timestamp == at)
                    for port_id, at in wanted
                )
            )
        )
        .order_by(PowerReading.id)  # equal timestamps: the newest row wins, as in the summaries
    )
    return {port_id: (voltage, current) for port_id, voltage, current in rows}


def load_ports(
    session: Session, user_id: str, port_ids: list[str] | None = None
) -> list[WindowPort]:
    """The user's ports (or those of `port_ids`) by name, with device names, latest readings
    and open phantom events."""
    ports = port_summaries(session, user_id, port_ids)
    latest = _latest_voltage_current(session, ports)
    ports_read = []
    for port in ports:
        voltage, current = latest.get(port.id, (None, None))
        ports_read.append(
            WindowPort(
                port.id,
                port.name,
                port.device_id,
                port.device_name,
                port.threshold_w,
                port.min_duration_s,
                port.auto_cut,
                port.status,
                port.in_phantom and port.status == PortStatus.ACTIVE,
                port.latest_power_w,
                voltage,
                current,
                port.last_reading_at,
                port.rhythm_override,
                port.rhythm_seen,
                port.rhythm_since,
                always_on_w=port_rhythm.always_on_w(session.connection(), port.id),
            )
        )
    return ports_read


def load_history(
    session: Session, port_ids: list[str], since: datetime, limit: int
) -> dict[str, PowerHistory]:
    """Power of each port since `since`, at most the newest `limit` readings each."""
    history = {}
    for port_id in port_ids:
        rows = session.execute(
            select(PowerReading.id, PowerReading.timestamp, PowerReading.power)
            .where(PowerReading.port_id == port_id, PowerReading.timestamp >= since)
            .order_by(desc(PowerReading.timestamp))
            .limit(limit)
        ).all()
        if rows:
            rows = list(reversed(rows))
            history[port_id] = PowerHistory(
                np.fromiter((row[1].timestamp() for row in rows), float, len(rows)),
                np.fromiter((row[2] for row in rows), float, len(rows)),
                max(row[0] for row in rows),
            )
    return history


def load_alerts(session: Session, user_id: str) -> list[AlertInfo]:
    """Unread notifications and the most recent read ones, newest first."""
    query = (
        select(Notification, Port.name, PhantomEvent.detected_at)
        .outerjoin(Port, Port.id == Notification.port_id)
        .outerjoin(PhantomEvent, PhantomEvent.id == Notification.event_id)
        .where(Notification.user_id == user_id)
        .order_by(desc(Notification.id))
    )
    unread = session.execute(
        query.where(Notification.is_read.is_(False)).limit(MAX_UNREAD_ALERTS)
    ).all()
    read = session.execute(
        query.where(Notification.is_read.is_(True)).limit(RECENT_READ_ALERTS)
    ).all()
    rows = sorted([*unread, *read], key=lambda row: row[0].id, reverse=True)
    return [
        AlertInfo(
            note.id,
            note.port_id,
            port_name or "(deleted port)",
            detected_at or note.created_at,
            note.message,
            note.is_read,
        )
        for note, port_name, detected_at in rows
    ]


def load_snapshot(
    session: Session, user_id: str, now: datetime, window: timedelta, limit: int
) -> Snapshot:
    """Ports, their power over the trailing `window`, and alerts: the window's start state."""
    ports = load_ports(session, user_id)
    history = load_history(session, [port.id for port in ports], now - window, limit)
    return Snapshot(ports, history, load_alerts(session, user_id))


def mark_read_up_to(session: Session, user_id: str, up_to_id: int) -> int:
    """Mark the user's notifications up to `up_to_id` (the newest shown) as read; how many."""
    statement = (
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.id <= up_to_id,
            Notification.is_read.is_(False),
        )
        .values(is_read=True)
    )
    return affected_rows(session.execute(statement))


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just generated (or rotated) for a device, and a port to show it with."""

    token: str
    device_name: str
    port_id: str | None
    port_name: str | None
    rotated: bool = False


def new_token(session: Session, user_id: str, device_id: str, rotate: bool) -> NewToken:
    """Generate (or rotate to) a new token; name one of the device's ports for the snippets."""
    make = repository.rotate_token if rotate else repository.create_token
    token, _row = make(session, user_id, device_id)
    device = repository.get_device(session, user_id, device_id)
    ports = [p for p in repository.list_ports(session, user_id) if p.device_id == device_id]
    port = ports[0] if ports else None
    return NewToken(
        token, device.name, port.id if port else None, port.name if port else None, rotate
    )
