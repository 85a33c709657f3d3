"""A user's alerts (phantom-event notifications): list, unread count, mark read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from phantom_desktop.core.enums import EventAction, PortStatus
from phantom_desktop.store.database import affected_rows
from phantom_desktop.store.models import Notification, PhantomEvent, Port
from phantom_desktop.store.repository import InvalidInput, NotFound

DEFAULT_LIMIT = 500


@dataclass(frozen=True, slots=True)
class AlertItem:
    """A row of the alerts view, with what "Go to port" and "Turn port back on" need."""

    id: int
    created_at: datetime
    message: str
    is_read: bool
    port_id: str | None
    port_name: str | None
    port_status: PortStatus | None
    event_id: int | None
    action: EventAction | None


def list_alerts(
    session: Session, user_id: str, unread_only: bool = False, limit: int = DEFAULT_LIMIT
) -> list[AlertItem]:
    """Unread first, then newest first; at most `limit`."""
    if limit < 1:
        raise InvalidInput("the number of alerts to list must be at least 1")
    query = (
        select(
            Notification.id,
            Notification.created_at,
            Notification.message,
            Notification.is_read,
            Notification.port_id,
            Port.name,
            Port.status,
            Notification.event_id,
            PhantomEvent.action,
        )
        .outerjoin(Port, Port.id == Notification.port_id)
        .outerjoin(PhantomEvent, PhantomEvent.id == Notification.event_id)
        .where(Notification.user_id == user_id)
        .order_by(Notification.is_read, Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(Notification.is_read.is_(False))
    return [AlertItem(*row) for row in session.execute(query)]


def unread_count(session: Session, user_id: str) -> int:
    """For the window's badge."""
    query = select(func.count()).where(
        Notification.user_id == user_id, Notification.is_read.is_(False)
    )
    return session.scalar(query) or 0


def mark_read(session: Session, user_id: str, alert_ids: Iterable[int]) -> int:
    """Mark some of the user's alerts read; NotFound (and nothing changed) if one is not theirs.

    Returns how many were unread.
    """
    wanted = set(alert_ids)
    if not wanted:
        return 0
    own = set(
        session.scalars(
            select(Notification.id).where(
                Notification.user_id == user_id, Notification.id.in_(wanted)
            )
        )
    )
    missing = sorted(wanted - own)
    if missing:
        listed = ", ".join(str(i) for i in missing)
        raise NotFound(f"alert{'s' if len(missing) > 1 else ''} {listed} not found")
    return _mark(session, Notification.id.in_(own), user_id)


def mark_all_read(session: Session, user_id: str) -> int:
    """Returns how many were unread."""
    return _mark(session, Notification.user_id == user_id, user_id)


def _mark(session: Session, condition: ColumnElement[bool], user_id: str) -> int:
    result = session.execute(
        update(Notification)
        .where(condition, Notification.user_id == user_id, Notification.is_read.is_(False))
        .values(is_read=True)
        .execution_options(synchronize_session="fetch")
    )
    return affected_rows(result)
