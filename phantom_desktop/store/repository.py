"""Management queries for one user's devices, tokens and ports (used by the CLI and the window).

Every function takes the acting user's id and only sees or changes that user's rows.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phantom_desktop.core.credentials import generate_token, hash_token, token_display_prefix
from phantom_desktop.store.models import (
    LOCAL_USER_NAME,
    Device,
    DeviceToken,
    Port,
    User,
)


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


def _clean_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(f"{what} name must not be empty")
    if len(name) > 100:
        raise InvalidInput(f"{what} name must be at most 100 characters")
    return name


def get_device(session: Session, user_id: str, device_id: str) -> Device:
    device = session.get(Device, device_id)
    if device is None or device.user_id != user_id:
        raise NotFound(f"device {device_id} not found")
    return device


def create_device(session: Session, user_id: str, name: str) -> Device:
    name = _clean_name(name, "device")
    taken = session.scalar(
        select(func.count()).where(Device.user_id == user_id, Device.name == name)
    )
    if taken:
        raise InvalidInput(f"you already have a device named {name!r}")
    device = Device(user_id=user_id, name=name)
    session.add(device)
    session.flush()
    return device


def list_devices(session: Session, user_id: str) -> list[Device]:
    return list(
        session.scalars(select(Device).where(Device.user_id == user_id).order_by(Device.name))
    )


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


def validate_port_rules(threshold_w: float, min_duration_s: float) -> None:
    if not threshold_w > 0:
        raise InvalidInput("the threshold must be a positive number of watts")
    if threshold_w > 100_000:
        raise InvalidInput("the threshold must be at most 100000 W")
    if not min_duration_s >= 0:
        raise InvalidInput("the minimum duration must be zero or more seconds")


def create_port(
    session: Session,
    user_id: str,
    name: str,
    device_id: str | None,
    threshold_w: float,
    min_duration_s: float = 30.0,
    auto_cut: bool = True,
) -> Port:
    name = _clean_name(name, "port")
    validate_port_rules(threshold_w, min_duration_s)
    if device_id is not None:
        get_device(session, user_id, device_id)
    taken = session.scalar(select(func.count()).where(Port.user_id == user_id, Port.name == name))
    if taken:
        raise InvalidInput(f"you already have a port named {name!r}")
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
