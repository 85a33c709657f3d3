"""Editing the serial sources of the settings: checked against the user's data, then listed.

Shared by `phantom-desktop serial …` and the window's Settings dialog; no Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from phantom_desktop.ingest.serial.config import (
    SerialConfigError,
    SerialSourceConfig,
    parse_source_configs,
)
from phantom_desktop.store.models import Device, Port
from phantom_desktop.store.repository import InvalidInput, NotFound


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


def check_owned(session: Session, user_id: str, config: SerialSourceConfig) -> None:
    """NotFound naming the device or the channel's port when it is not one of the user's."""
    device = session.get(Device, config.device_id)
    if device is None or device.user_id != user_id:
        raise NotFound(
            f"device {config.device_id} not found: `phantom-desktop device list` shows yours"
        )
    for channel, port_id in config.channels.items():
        port = session.get(Port, port_id)
        if port is None or port.user_id != user_id:
            raise NotFound(
                f"channel {channel}: port {port_id} not found: `phantom-desktop port list` "
                "shows yours"
            )


def same_name(entry: object, name: str) -> bool:
    """Source names are compared ignoring case, as `parse_source_configs` does."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and entry["name"].strip().casefold() == name.strip().casefold()
    )


def measured_twice(config: SerialSourceConfig, others: list) -> str | None:
    """Why `config` may not map a port another enabled source already maps, or None.

    Two meters on one port would interleave their readings on its plot and in its detection.
    """
    if not config.enabled:
        return None
    for entry in others:
        try:
            other = SerialSourceConfig.from_dict(entry)
        except SerialConfigError:
            continue
        shared = config.port_ids & other.port_ids if other.enabled else frozenset()
        if shared:
            channel = next(k for k, port_id in config.channels.items() if port_id in shared)
            return f"channel {channel}: that port is already measured by {other.name!r}"
    return None


def with_source(sources: list, config: SerialSourceConfig) -> list[dict]:
    """`sources` with `config` added at the end; InvalidInput if its name, serial port or
    one of its mapped ports is taken."""
    if any(same_name(entry, config.name) for entry in sources):
        raise InvalidInput(
            f"a serial source named {config.name!r} exists: remove it first "
            "(`phantom-desktop serial remove NAME`) or choose another name"
        )
    updated = [*sources, config.to_dict()]
    try:
        parse_source_configs(updated)
    except SerialConfigError as exc:
        raise InvalidInput(str(exc)) from None
    taken = measured_twice(config, sources)
    if taken:
        raise InvalidInput(taken)
    return updated


def without_source(sources: list, name: str) -> tuple[list, dict]:
    """`sources` without the entry named `name` (valid or not), and that entry."""
    for position, entry in enumerate(sources):
        if same_name(entry, name):
            return sources[:position] + sources[position + 1 :], entry
    raise NotFound(f"no serial source named {name!r}: `phantom-desktop serial list` shows them")
