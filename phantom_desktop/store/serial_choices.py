"""What a serial source may name: the user's devices and ports (for the Settings dialog's
choices and for `serial add`'s checks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from phantom_desktop.store.models import Device, Port
from phantom_desktop.store.repository import NotFound


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class PortChoice:
    id: str
    name: str
    device_id: str | None
    device_name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.device_name})" if self.device_name else self.name


@dataclass(frozen=True, slots=True)
class Choices:
    """What a source of this user may name: its devices and ports, by name."""

    devices: list[DeviceChoice]
    ports: list[PortChoice]

    def device_name(self, device_id: str) -> str | None:
        return next((d.name for d in self.devices if d.id == device_id), None)

    def port_name(self, port_id: str) -> str | None:
        return next((p.name for p in self.ports if p.id == port_id), None)


def load_choices(session: Session, user_id: str) -> Choices:
    """The user's devices and ports, sorted by name (run it off the GUI thread)."""
    devices = [
        DeviceChoice(device_id, name)
        for device_id, name in session.execute(
            select(Device.id, Device.name).where(Device.user_id == user_id).order_by(Device.name)
        )
    ]
    names = {d.id: d.name for d in devices}
    ports = [
        PortChoice(port_id, name, device_id, names.get(device_id or "", ""))
        for port_id, name, device_id in session.execute(
            select(Port.id, Port.name, Port.device_id)
            .where(Port.user_id == user_id)
            .order_by(Port.name)
        )
    ]
    return Choices(devices, ports)


def check_owned(
    session: Session, user_id: str, device_id: str, channels: Mapping[str, str]
) -> None:
    """NotFound naming the device or a channel's port (channel -> port id) when it is not one
    of the user's."""
    device = session.get(Device, device_id)
    if device is None or device.user_id != user_id:
        raise NotFound(f"device {device_id} not found: `phantom-desktop device list` shows yours")
    for channel, port_id in channels.items():
        port = session.get(Port, port_id)
        if port is None or port.user_id != user_id:
            raise NotFound(
                f"channel {channel}: port {port_id} not found: `phantom-desktop port list` "
                "shows yours"
            )
