"""The statements of ingestion: what the writer's transaction and the serial sources run.

Every function takes the caller's connection or session; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.orm import Session

from phantom_desktop.core.detection import EpisodeDetected, EpisodeEnded
from phantom_desktop.core.enums import EventAction, PortStatus
from phantom_desktop.store.models import DeviceToken, Notification, PhantomEvent, Port, PowerReading

# Ids come back sorted: rows of one INSERT get increasing ids in VALUES order (SQLite rowids,
# MariaDB AUTO_INCREMENT), and asking SQLAlchemy to sort makes SQLite insert row by row.
_insert_readings = insert(PowerReading).returning(PowerReading.id)


@dataclass(frozen=True, slots=True)
class OpenEvent:
    """A phantom event not yet ended, from which a port's detection resumes."""

    id: int
    started_at: datetime
    detected_at: datetime
    power_w: float


def insert_readings(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Store readings (dicts of PowerReading columns) in one statement; their ids, in order."""
    return sorted(conn.execute(_insert_readings, rows).scalars())


def open_events(conn: Connection, port_ids: Collection[str]) -> dict[str, OpenEvent]:
    """The open phantom event of each of these ports that has one."""
    rows = conn.execute(
        select(
            PhantomEvent.port_id,
            PhantomEvent.id,
            PhantomEvent.started_at,
            PhantomEvent.detected_at,
            PhantomEvent.power_w,
        ).where(PhantomEvent.port_id.in_(port_ids), PhantomEvent.ended_at.is_(None))
    )
    return {row[0]: OpenEvent(row[1], row[2], row[3], row[4]) for row in rows}


def insert_event(
    conn: Connection, port_id: str, detected: EpisodeDetected, ended: EpisodeEnded | None
) -> int:
    """Record a phantom event (already over when `ended` is given); its id."""
    result = conn.execute(
        insert(PhantomEvent).values(
            port_id=port_id,
            started_at=detected.started_at,
            detected_at=detected.detected_at,
            ended_at=ended.ended_at if ended else None,
            power_w=ended.mean_power_w if ended else detected.power_w,
            wasted_wh=ended.wasted_wh if ended else 0.0,
            action=EventAction.AUTO_CUT if detected.cut else EventAction.NOTIFIED,
        )
    )
    return _new_id(result.inserted_primary_key)


def end_event(conn: Connection, event_id: int, ended: EpisodeEnded) -> None:
    """Close a phantom event with its end, energy and mean power."""
    conn.execute(
        update(PhantomEvent)
        .where(PhantomEvent.id == event_id)
        .values(ended_at=ended.ended_at, wasted_wh=ended.wasted_wh, power_w=ended.mean_power_w)
    )


def insert_notification(
    conn: Connection, user_id: str, port_id: str, event_id: int, message: str
) -> int:
    """Notify the port's owner of a phantom event; the notification's id."""
    result = conn.execute(
        insert(Notification).values(
            user_id=user_id, port_id=port_id, event_id=event_id, message=message
        )
    )
    return _new_id(result.inserted_primary_key)


def write_port_status(conn: Connection, port_id: str, status: PortStatus) -> None:
    """Turn a port on or off (the writer's cut or a command it applies)."""
    conn.execute(update(Port).where(Port.id == port_id).values(status=status))


def touch_tokens(conn: Connection, token_ids: Collection[int], now: datetime) -> None:
    """Record that these tokens were used at `now`."""
    conn.execute(update(DeviceToken).where(DeviceToken.id.in_(token_ids)).values(last_used_at=now))


def device_port_ids(session: Session, device_ids: Collection[str]) -> dict[str, set[str]]:
    """The ports each device feeds (a device without ports maps to an empty set)."""
    found: dict[str, set[str]] = {device_id: set() for device_id in device_ids}
    if device_ids:
        rows = session.execute(
            select(Port.id, Port.device_id).where(Port.device_id.in_(device_ids))
        )
        for port_id, device_id in rows:
            if device_id is not None:
                found[device_id].add(port_id)
    return found


def _new_id(primary_key: Row[Any] | None) -> int:
    assert primary_key is not None  # an INSERT of one row always has one
    return int(primary_key[0])
