"""Database reads and writes of the window, run on its worker thread (no Qt here).

These would belong in `store/` once the window's needs settle; they only see one user's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import and_, desc, or_, select, update
from sqlalchemy.orm import Session

from phantom_desktop.store.models import (
    PORT_ACTIVE,
    Notification,
    PhantomEvent,
    Port,
    PowerReading,
)
from phantom_desktop.store.summaries import PortSummary, port_summaries

RECENT_READ_ALERTS = 100
MAX_UNREAD_ALERTS = 400  # with the read ones, what the alerts panel keeps


@dataclass(frozen=True, slots=True)
class PortInfo:
    """One port as the table shows it; the latest reading is None when there is none yet."""

    id: str
    name: str
    device_name: str
    threshold_w: float
    status: str
    phantom: bool = False
    voltage: float | None = None
    current: float | None = None
    power: float | None = None
    last_seen: datetime | None = None


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

    ports: list[PortInfo]
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


def load_ports(session: Session, user_id: str) -> list[PortInfo]:
    """The user's ports by name, with device names, latest readings and open phantom events."""
    ports = port_summaries(session, user_id)
    latest = _latest_voltage_current(session, ports)
    return [
        PortInfo(
            port.id,
            port.name,
            port.device_name or "",
            port.threshold_w,
            port.status,
            port.in_phantom and port.status == PORT_ACTIVE,
            *latest.get(port.id, (None, None)),
            port.latest_power_w,
            port.last_reading_at,
        )
        for port in ports
    ]


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
            rows.reverse()
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
    rows = sorted(unread + read, key=lambda row: row[0].id, reverse=True)
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


def mark_read(session: Session, user_id: str, up_to_id: int) -> int:
    """Mark the user's notifications up to `up_to_id` (the newest shown) as read; how many."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.id <= up_to_id,
            Notification.is_read.is_(False),
        )
        .values(is_read=True)
    )
    return result.rowcount or 0
