"""Management of one user's devices, tokens and ports (used by the CLI and the window).

Every function takes a Session (the caller owns the transaction) and the acting user's id, only
sees or changes that user's rows, and raises `NotFound` or `InvalidInput` with a message fit to
show the user. Read models for the views are in `summaries`, notifications in `alerts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from phantom_desktop.core.credentials import generate_token, hash_token, token_display_prefix
from phantom_desktop.core.enums import PortStatus
from phantom_desktop.store.database import affected_rows
from phantom_desktop.store.models import (
    LOCAL_USER_NAME,
    Device,
    DeviceToken,
    Notification,
    PhantomEvent,
    Port,
    PowerReading,
    User,
    utcnow,
)

MAX_THRESHOLD_W = 100_000


class NotFound(LookupError):
    """No such row for this user."""


class InvalidInput(ValueError):
    """A value a user typed is not acceptable; the message says which and why."""


def ensure_local_user(session: Session) -> User:
    """The account of the embedded database, which asks for no login."""
    user = session.scalar(select(User).where(User.name == LOCAL_USER_NAME))
    if user is None:
        user = User(name=LOCAL_USER_NAME, password_hash=None)
        session.add(user)
        session.flush()
    return user


def clean_name(name: str, what: str) -> str:
    """`name` stripped, or InvalidInput if it is empty, too long or has control characters."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(f"{what} name must not be empty")
    if len(name) > 100:
        raise InvalidInput(f"{what} name must be at most 100 characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise InvalidInput(f"{what} name must not contain control characters (tabs, new lines)")
    return name


def _check_unique(
    session: Session, model: type[Device] | type[Port], user_id: str, name: str, own_id: str | None
) -> None:
    """Names are unique per user, ignoring case (the same on SQLite and MySQL)."""
    query = select(model.id).where(model.user_id == user_id, func.lower(model.name) == name.lower())
    if own_id is not None:
        query = query.where(model.id != own_id)
    if session.scalar(query.limit(1)) is not None:
        what = "device" if model is Device else "port"
        raise InvalidInput(f"you already have a {what} named {name!r}")


def counted(n: int, noun: str) -> str:
    """A count with its noun: "1 port", "2 ports", "12,345 readings"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# -- devices -----------------------------------------------------------------------------------
def get_device(session: Session, user_id: str, device_id: str) -> Device:
    device = session.get(Device, device_id)
    if device is None or device.user_id != user_id:
        raise NotFound(f"device {device_id} not found")
    return device


def create_device(session: Session, user_id: str, name: str) -> Device:
    name = clean_name(name, "device")
    _check_unique(session, Device, user_id, name, None)
    device = Device(user_id=user_id, name=name)
    session.add(device)
    session.flush()
    return device


def list_devices(session: Session, user_id: str) -> list[Device]:
    return list(
        session.scalars(select(Device).where(Device.user_id == user_id).order_by(Device.name))
    )


def rename_device(session: Session, user_id: str, device_id: str, name: str) -> Device:
    device = get_device(session, user_id, device_id)
    name = clean_name(name, "device")
    _check_unique(session, Device, user_id, name, device.id)
    device.name = name
    session.flush()
    return device


@dataclass(frozen=True, slots=True)
class DeviceDeleteImpact:
    """What deleting a device does: its tokens go; its ports and their readings stay."""

    device_id: str
    device_name: str
    tokens: int
    active_tokens: int
    port_names: tuple[str, ...]
    readings: int

    def describe(self) -> str:
        """The confirmation text: what is deleted and what is kept."""
        parts = [f"Delete the device {self.device_name!r}?"]
        if self.tokens:
            parts.append(
                f"Its {counted(self.tokens, 'token')} will be deleted"
                + (", so it can no longer send readings." if self.active_tokens else ".")
            )
        if self.port_names:
            one = len(self.port_names) == 1
            names = ", ".join(repr(name) for name in self.port_names)
            parts.append(
                f"Its {counted(len(self.port_names), 'port')} ({names}) "
                f"{'is' if one else 'are'} kept with {'its' if one else 'their'} "
                f"{counted(self.readings, 'reading')}, attached to no device: attach "
                f"{'it' if one else 'them'} to another device with Edit port, or delete a port "
                "to delete its readings."
            )
        else:
            parts.append("It feeds no ports, so no readings are affected.")
        return " ".join(parts)


def device_delete_impact(session: Session, user_id: str, device_id: str) -> DeviceDeleteImpact:
    """Counts for the confirmation before `delete_device`."""
    device = get_device(session, user_id, device_id)
    tokens, active = session.execute(
        select(func.count(), func.count(case((DeviceToken.revoked_at.is_(None), 1)))).where(
            DeviceToken.device_id == device.id
        )
    ).one()
    port_ids_names = session.execute(
        select(Port.id, Port.name).where(Port.device_id == device.id).order_by(Port.name)
    ).all()
    readings = 0
    if port_ids_names:
        readings = (
            session.scalar(
                select(func.count())
                .select_from(PowerReading)
                .where(PowerReading.port_id.in_([row[0] for row in port_ids_names]))
            )
            or 0
        )
    return DeviceDeleteImpact(
        device.id, device.name, tokens, active, tuple(row[1] for row in port_ids_names), readings
    )


def delete_device(session: Session, user_id: str, device_id: str) -> DeviceDeleteImpact:
    """Delete a device and its tokens; its ports (with their readings) are detached and kept."""
    impact = device_delete_impact(session, user_id, device_id)
    session.execute(update(Port).where(Port.device_id == device_id).values(device_id=None))
    session.delete(get_device(session, user_id, device_id))
    session.flush()
    session.expire_all()  # rows the database cascaded away must not linger in the session
    return impact


# -- tokens ------------------------------------------------------------------------------------
def create_token(session: Session, user_id: str, device_id: str) -> tuple[str, DeviceToken]:
    """A new token for a device; the clear token is returned once and never stored."""
    device = get_device(session, user_id, device_id)
    token = generate_token()
    row = DeviceToken(
        device_id=device.id, token_hash=hash_token(token), prefix=token_display_prefix(token)
    )
    session.add(row)
    session.flush()
    return token, row


def revoke_device_tokens(session: Session, user_id: str, device_id: str) -> int:
    """Revoke every active token of a device (refused from the next batch); how many were."""
    device = get_device(session, user_id, device_id)
    result = session.execute(
        update(DeviceToken)
        .where(DeviceToken.device_id == device.id, DeviceToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return affected_rows(result)


def revoke_token(session: Session, user_id: str, token_id: int) -> DeviceToken:
    """Revoke one token (a row of the token list); revoking it again changes nothing."""
    row = session.get(DeviceToken, token_id)
    if row is None or row.device.user_id != user_id:
        raise NotFound(f"token {token_id} not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row


def rotate_token(session: Session, user_id: str, device_id: str) -> tuple[str, DeviceToken]:
    """Revoke the device's active tokens and create a new one, in the caller's transaction."""
    revoke_device_tokens(session, user_id, device_id)
    return create_token(session, user_id, device_id)


def list_tokens(session: Session, user_id: str, device_id: str) -> list[DeviceToken]:
    """A device's tokens, newest first (prefix, created, last used, revoked)."""
    device = get_device(session, user_id, device_id)
    return list(
        session.scalars(
            select(DeviceToken)
            .where(DeviceToken.device_id == device.id)
            .order_by(DeviceToken.created_at.desc(), DeviceToken.id.desc())
        )
    )


# -- ports -------------------------------------------------------------------------------------
def validate_port_rules(threshold_w: float, min_duration_s: float) -> None:
    if not threshold_w > 0:
        raise InvalidInput("the threshold must be a positive number of watts")
    if threshold_w > MAX_THRESHOLD_W:
        raise InvalidInput(f"the threshold must be at most {MAX_THRESHOLD_W} W")
    if not min_duration_s >= 0:
        raise InvalidInput("the minimum duration must be zero or more seconds")
    if min_duration_s == float("inf"):
        raise InvalidInput("the minimum duration must be a finite number of seconds")


def create_port(
    session: Session,
    user_id: str,
    name: str,
    device_id: str | None,
    threshold_w: float,
    min_duration_s: float = 30.0,
    auto_cut: bool = True,
) -> Port:
    name = clean_name(name, "port")
    validate_port_rules(threshold_w, min_duration_s)
    if device_id is not None:
        get_device(session, user_id, device_id)
    _check_unique(session, Port, user_id, name, None)
    port = Port(
        user_id=user_id,
        device_id=device_id,
        name=name,
        threshold_w=float(threshold_w),
        min_duration_s=float(min_duration_s),
        auto_cut=auto_cut,
    )
    session.add(port)
    session.flush()
    return port


def list_ports(session: Session, user_id: str) -> list[Port]:
    return list(session.scalars(select(Port).where(Port.user_id == user_id).order_by(Port.name)))


def get_port(session: Session, user_id: str, port_id: str) -> Port:
    port = session.get(Port, port_id)
    if port is None or port.user_id != user_id:
        raise NotFound(f"port {port_id} not found")
    return port


def update_port(
    session: Session,
    user_id: str,
    port_id: str,
    name: str,
    device_id: str | None,
    threshold_w: float,
    min_duration_s: float,
    auto_cut: bool,
) -> Port:
    """Replace a port's settings (the edit dialog passes every field; None: no device).

    The writer reads the new rules with its next batch; status is changed by `set_port_status`.
    """
    port = get_port(session, user_id, port_id)
    name = clean_name(name, "port")
    validate_port_rules(threshold_w, min_duration_s)
    if device_id is not None:
        get_device(session, user_id, device_id)
    _check_unique(session, Port, user_id, name, port.id)
    port.name = name
    port.device_id = device_id
    port.threshold_w = float(threshold_w)
    port.min_duration_s = float(min_duration_s)
    port.auto_cut = auto_cut
    session.flush()
    return port


def set_port_status(session: Session, user_id: str, port_id: str, status: PortStatus | str) -> Port:
    """Turn a port on (`active`) or `off` in the database; the device learns it from its next
    response. A running app does this through `Writer.command` instead, which also closes the
    port's open phantom episode at once (a direct write is picked up with the writer's next batch).
    """
    if status not in tuple(PortStatus):
        raise InvalidInput(f"a port's status is 'active' or 'off', not {status!r}")
    port = get_port(session, user_id, port_id)
    port.status = PortStatus(status)
    session.flush()
    return port


@dataclass(frozen=True, slots=True)
class PortDeleteImpact:
    """What deleting a port deletes with it."""

    port_id: str
    port_name: str
    readings: int
    events: int
    alerts: int

    def describe(self) -> str:
        return (
            f"Delete the port {self.port_name!r}? Its {counted(self.readings, 'reading')}, "
            f"{counted(self.events, 'phantom event')} and {counted(self.alerts, 'alert')} "
            "will be deleted too; this cannot be undone. A device that still sends readings "
            "for it will get 404."
        )


def port_delete_impact(session: Session, user_id: str, port_id: str) -> PortDeleteImpact:
    port = get_port(session, user_id, port_id)

    def count(model: type[PowerReading] | type[PhantomEvent] | type[Notification]) -> int:
        query = select(func.count()).select_from(model).where(model.port_id == port.id)
        return session.scalar(query) or 0

    return PortDeleteImpact(
        port.id, port.name, count(PowerReading), count(PhantomEvent), count(Notification)
    )


def delete_port(session: Session, user_id: str, port_id: str) -> PortDeleteImpact:
    """Delete a port with its readings, events and alerts (database cascades)."""
    impact = port_delete_impact(session, user_id, port_id)
    session.delete(get_port(session, user_id, port_id))
    session.flush()
    session.expire_all()  # rows the database cascaded away must not linger in the session
    return impact
