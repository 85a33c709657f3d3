"""The statements of ingestion: what the writer's transaction and the serial sources run.

Every function takes the caller's connection or session; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from phantom_desktop.core.detection import EpisodeDetected, EpisodeEnded, EpisodeProgress
from phantom_desktop.core.enums import EventAction, PortStatus
from phantom_desktop.store.driver_cursor import driver_cursor
from phantom_desktop.store.models import DeviceToken, Notification, PhantomEvent, Port, PowerReading
from phantom_desktop.store.multi_row import values_lists
from phantom_desktop.store.sql_time import bind_timestamp, dialect_name

_insert_readings_plain = insert(PowerReading)
_readings_in_range = (
    select(PowerReading.id, PowerReading.port_id, PowerReading.timestamp)
    .where(PowerReading.id.between(bindparam("first"), bindparam("last")))
    .order_by(PowerReading.id)
)
# One statement per batch for every open event the batch moved (executemany).
_save_progress = (
    update(PhantomEvent)
    .where(PhantomEvent.id == bindparam("event_id"))
    .values(
        wasted_wh=bindparam("wasted"),
        counted_until=bindparam("until"),
        last_power_w=bindparam("power"),
    )
)


class IdsNotConsecutive(RuntimeError):
    """Another connection's rows took ids inside this INSERT's range (no RETURNING to ask):
    the transaction must be rolled back and the rows inserted one by one."""


@dataclass(frozen=True, slots=True)
class OpenEvent:
    """A phantom event not yet ended, from which a port's detection resumes."""

    id: int
    started_at: datetime
    detected_at: datetime
    power_w: float
    progress: EpisodeProgress | None  # None: stored by an earlier version, without it


def insert_readings(
    conn: Connection, rows: Sequence[dict[str, Any]], *, one_by_one: bool = False
) -> list[int]:
    """Store readings (dicts of PowerReading columns); their ids, in order.

    With INSERT … RETURNING (SQLite, MariaDB >= 10.5) one statement does it. MySQL 8 and older
    MariaDB lack RETURNING: one multi-row INSERT gives the first id (LAST_INSERT_ID), the rows
    of a simple INSERT take consecutive ids, and a SELECT of that range checks it; if another
    connection's rows interleaved, IdsNotConsecutive asks the caller to retry `one_by_one`.
    """
    if conn.dialect.insert_returning and not one_by_one:
        return _insert_returning(conn, rows)
    if one_by_one or len(rows) == 1:
        return [
            _new_id(conn.execute(_insert_readings_plain.values(row)).inserted_primary_key)
            for row in rows
        ]
    first = conn.execute(_insert_readings_plain.values(list(rows))).lastrowid
    ids = list(range(first, first + len(rows)))
    found = conn.execute(_readings_in_range, {"first": ids[0], "last": ids[-1]}).all()
    if [(r[1], r[2]) for r in found] != [(row["port_id"], row["timestamp"]) for row in rows]:
        raise IdsNotConsecutive(f"ids {ids[0]}..{ids[-1]} are not all this INSERT's rows")
    return ids


_INSERT_READINGS = (
    "INSERT INTO power_readings (port_id, timestamp, voltage, current, power, source) VALUES "
)


def _insert_returning(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """The hot path: one multi-row INSERT … RETURNING per chunk, sent as plain SQL
    (`multi_row`).

    Binding through the ORM table costs a compiled-parameter dict and two type conversions per
    row, a third of the writer's time per reading; here a row is six values, executed on the
    driver's own cursor (`driver_cursor`). Timestamps are bound as the column type stores them
    (`bind_timestamp`). Ids come back sorted: rows of one INSERT get increasing ids in VALUES
    order (SQLite rowids, MariaDB AUTO_INCREMENT).
    """
    dialect = dialect_name(conn)
    values = [
        (
            row["port_id"],
            bind_timestamp(row["timestamp"], dialect),
            row["voltage"],
            row["current"],
            row["power"],
            row["source"],
        )
        for row in rows
    ]
    ids: list[int] = []
    with driver_cursor(conn) as cursor:
        for text, params in values_lists(conn, values):
            cursor.execute(f"{_INSERT_READINGS}{text} RETURNING id", params)
            ids.extend(sorted(r[0] for r in cursor.fetchall()))
    return ids


def stored_reading_ids(
    conn: Connection, keys: Collection[tuple[str, datetime]]
) -> dict[tuple[str, datetime], int]:
    """The ids of those of these (port id, timestamp) readings that are already stored."""
    if not keys:
        return {}
    wanted = set(keys)
    ports = sorted({port_id for port_id, _ in wanted})
    first, last = min(t for _, t in wanted), max(t for _, t in wanted)
    rows = conn.execute(
        select(PowerReading.port_id, PowerReading.timestamp, PowerReading.id).where(
            PowerReading.port_id.in_(ports), PowerReading.timestamp.between(first, last)
        )
    )
    return {(port_id, stamp): int(i) for port_id, stamp, i in rows if (port_id, stamp) in wanted}


def open_events(conn: Connection, port_ids: Collection[str]) -> dict[str, OpenEvent]:
    """The open phantom event of each of these ports that has one.

    A port has at most one: should an older one have been left open (a crash of an earlier
    version), it is closed where the newer one starts, so resuming never picks one at random.
    """
    rows = conn.execute(
        select(
            PhantomEvent.port_id,
            PhantomEvent.id,
            PhantomEvent.started_at,
            PhantomEvent.detected_at,
            PhantomEvent.power_w,
            PhantomEvent.wasted_wh,
            PhantomEvent.counted_until,
            PhantomEvent.last_power_w,
        )
        .where(PhantomEvent.port_id.in_(port_ids), PhantomEvent.ended_at.is_(None))
        .order_by(PhantomEvent.id)
    )
    found: dict[str, OpenEvent] = {}
    for port_id, event_id, started_at, detected_at, power_w, wasted, until, last_w in rows:
        progress = (
            None
            if until is None or last_w is None
            else EpisodeProgress(started_at, until, last_w, wasted)
        )
        newer = OpenEvent(event_id, started_at, detected_at, power_w, progress)
        older = found.get(port_id)
        if older is not None:
            close_event(conn, older.id, max(older.detected_at, newer.started_at))
        found[port_id] = newer
    return found


def close_event(conn: Connection, event_id: int, ended_at: datetime) -> None:
    """End an event without resuming it (its port was cut while the app was stopped, or a
    newer event superseded it): it keeps the energy saved with its last batch."""
    conn.execute(update(PhantomEvent).where(PhantomEvent.id == event_id).values(ended_at=ended_at))


def save_progress(conn: Connection, progress: Sequence[tuple[int, EpisodeProgress]]) -> None:
    """Record how far these open events (by id) are counted, in the batch's transaction."""
    conn.execute(
        _save_progress,
        [
            {
                "event_id": event_id,
                "wasted": p.wasted_wh,
                "until": p.counted_until,
                "power": p.power_w,
            }
            for event_id, p in progress
        ],
    )


def readings_since(
    conn: Connection, port_id: str, since: datetime
) -> Iterable[tuple[datetime, float]]:
    """This port's readings measured at or after `since`, (timestamp, power) in time order."""
    return conn.execute(
        select(PowerReading.timestamp, PowerReading.power)
        .where(PowerReading.port_id == port_id, PowerReading.timestamp >= since)
        .order_by(PowerReading.timestamp, PowerReading.id)
    )


def last_reading_at(conn: Connection, port_id: str) -> datetime | None:
    """When this port's latest reading was measured."""
    return conn.scalar(
        select(func.max(PowerReading.timestamp)).where(PowerReading.port_id == port_id)
    )


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
