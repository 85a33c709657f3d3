"""What one serial source is: its port, protocol, device and channel mapping, validated.

Stored in `Settings.serial_sources` as plain dicts (`to_dict`), read back with `from_dict`,
which names the field and the source in every error. Channel keys are canonical strings:
`"P1"`..`"P12"` for emonTx/emonPi, the meter address `"1"`..`"247"` for Modbus meters; JSON-lines
sources have no mapping because each line carries its `portId`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from phantom_desktop.config import ConfigError

Protocol = Literal["jsonl", "emontx", "pzem", "sdm120", "sdm630"]
PROTOCOLS: tuple[Protocol, ...] = ("jsonl", "emontx", "pzem", "sdm120", "sdm630")
LINE_PROTOCOLS = frozenset({"jsonl", "emontx"})
MODBUS_PROTOCOLS = frozenset({"pzem", "sdm120", "sdm630"})
DEFAULT_BAUDRATES: dict[str, int] = {
    "jsonl": 115200,
    "emontx": 115200,
    "pzem": 9600,
    "sdm120": 2400,
    "sdm630": 2400,
}
EMONTX_CHANNELS = 12
MAX_MODBUS_ADDRESS = 247
DEFAULT_POLL_INTERVAL_S = 1.0
MAX_POLL_INTERVAL_S = 3600.0
MAX_PORT_ID_LENGTH = 64

_KNOWN_KEYS = frozenset(
    (
        "name",
        "port",
        "usb",
        "baudrate",
        "protocol",
        "device_id",
        "channels",
        "poll_interval_s",
        "enabled",
    )
)


class SerialConfigError(ConfigError):
    """A serial source setting is invalid; the message names the source and the field."""


@dataclass(frozen=True)
class UsbMatch:
    """Identifies a USB serial adapter wherever the OS puts it (`/dev/ttyUSB0`, then `...1`)."""

    vid: int
    pid: int
    serial_number: str | None = None

    @classmethod
    def from_dict(cls, data: object) -> UsbMatch:
        if not isinstance(data, Mapping):
            raise ValueError("'usb' must be an object with vid, pid and optionally serial_number")
        serial_number = data.get("serial_number")
        if serial_number is not None and not isinstance(serial_number, str):
            raise ValueError("'usb.serial_number' must be a string")
        return cls(_usb_id(data, "vid"), _usb_id(data, "pid"), serial_number or None)

    def to_dict(self) -> dict[str, str]:
        out = {"vid": f"{self.vid:04X}", "pid": f"{self.pid:04X}"}
        if self.serial_number:
            out["serial_number"] = self.serial_number
        return out

    def __str__(self) -> str:
        text = f"{self.vid:04X}:{self.pid:04X}"
        return f"{text} serial {self.serial_number}" if self.serial_number else text


def _usb_id(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, str):
        text = value.strip().lower().removeprefix("0x")
        try:
            value = int(text, 16)
        except ValueError:
            raise ValueError(f"'usb.{key}' must be a hex number such as 0403") from None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF:
        raise ValueError(f"'usb.{key}' must be a 16-bit number (hex string such as 0403)")
    return value


@dataclass(frozen=True)
class SerialSourceConfig:
    """One serial source. `port` is a device path or a pyserial URL (`socket://`, `rfc2217://`)."""

    name: str
    port: str
    protocol: Protocol
    device_id: str
    baudrate: int
    channels: dict[str, str] = field(default_factory=dict)
    usb: UsbMatch | None = None
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S
    enabled: bool = True

    @property
    def is_modbus(self) -> bool:
        return self.protocol in MODBUS_PROTOCOLS

    @property
    def port_ids(self) -> frozenset[str]:
        """The ports this source's channel mapping feeds (empty for JSON lines)."""
        return frozenset(self.channels.values())

    def meter_addresses(self) -> list[tuple[int, str]]:
        """Modbus sources: (meter address, port id) in address order."""
        return sorted((int(key), port_id) for key, port_id in self.channels.items())

    @classmethod
    def from_dict(cls, data: object) -> SerialSourceConfig:
        """Validate a stored or typed-in source; SerialConfigError says what is wrong."""
        if not isinstance(data, Mapping):
            raise SerialConfigError("a serial source must be an object")
        name = data.get("name")
        label = f"serial source {name.strip()!r}" if isinstance(name, str) else "serial source"
        try:
            return cls._parse(data)
        except ValueError as exc:
            raise SerialConfigError(f"{label}: {exc}") from None

    @classmethod
    def _parse(cls, data: Mapping[str, Any]) -> SerialSourceConfig:
        unknown = sorted(set(data) - _KNOWN_KEYS)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(map(repr, unknown))}")
        name = _text(data, "name", 100)
        protocol = data.get("protocol")
        if protocol not in PROTOCOLS:
            raise ValueError(f"'protocol' must be one of {', '.join(PROTOCOLS)}")
        protocol = cast(Protocol, protocol)
        usb = UsbMatch.from_dict(data["usb"]) if data.get("usb") is not None else None
        port = data.get("port") or ""
        if not isinstance(port, str) or len(port) > 512:
            raise ValueError("'port' must be a device path or pyserial URL")
        if not port.strip() and usb is None:
            raise ValueError("'port' is required (a device path or pyserial URL) unless 'usb' is")
        return cls(
            name=name,
            port=port.strip(),
            protocol=protocol,
            device_id=_text(data, "device_id", MAX_PORT_ID_LENGTH),
            baudrate=_baudrate(data.get("baudrate"), protocol),
            channels=_channels(data.get("channels"), protocol),
            usb=usb,
            poll_interval_s=_poll_interval(data.get("poll_interval_s")),
            enabled=_flag(data.get("enabled", True)),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "port": self.port,
            "protocol": self.protocol,
            "device_id": self.device_id,
            "baudrate": self.baudrate,
            "channels": dict(self.channels),
            "poll_interval_s": self.poll_interval_s,
            "enabled": self.enabled,
        }
        if self.usb is not None:
            out["usb"] = self.usb.to_dict()
        return out


def _text(data: Mapping[str, Any], key: str, max_length: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{key}' is required")
    if len(value.strip()) > max_length:
        raise ValueError(f"'{key}' must be at most {max_length} characters")
    return value.strip()


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("'enabled' must be true or false")
    return value


def _baudrate(value: object, protocol: str) -> int:
    if value is None:
        return DEFAULT_BAUDRATES[protocol]
    if isinstance(value, bool) or not isinstance(value, int) or not 50 <= value <= 4_000_000:
        raise ValueError("'baudrate' must be a whole number from 50 to 4000000")
    return value


def _poll_interval(value: object) -> float:
    if value is None:
        return DEFAULT_POLL_INTERVAL_S
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError("'poll_interval_s' must be a number of seconds")
    if not 0 < value <= MAX_POLL_INTERVAL_S:
        raise ValueError(
            f"'poll_interval_s' must be more than 0 and at most {MAX_POLL_INTERVAL_S:g}"
        )
    return float(value)


def _channels(value: object, protocol: str) -> dict[str, str]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise ValueError("'channels' must be an object mapping channels to port ids")
    if protocol == "jsonl":
        if value:
            raise ValueError("JSON-lines sources take no 'channels': each line carries its portId")
        return {}
    if not value:
        what = "channels P1..P12" if protocol == "emontx" else "meter addresses"
        raise ValueError(f"'channels' must map at least one of the {what} to a port id")
    out: dict[str, str] = {}
    for key, port_id in value.items():
        channel = _channel_key(key, protocol)
        if channel in out:
            raise ValueError(f"channel {channel} is mapped twice")
        if not isinstance(port_id, str) or not port_id.strip():
            raise ValueError(f"channel {channel}: the port id must be a non-empty string")
        if len(port_id.strip()) > MAX_PORT_ID_LENGTH:
            raise ValueError(f"channel {channel}: the port id is too long")
        out[channel] = port_id.strip()
    if len(set(out.values())) != len(out):
        raise ValueError("'channels' maps two channels to the same port")
    return dict(sorted(out.items(), key=lambda item: _sort_key(item[0])))


def _channel_key(key: object, protocol: str) -> str:
    if protocol == "emontx":
        text = str(key).strip().upper()
        number = text[1:] if text.startswith("P") else ""
        if not number.isdigit() or not 1 <= int(number) <= EMONTX_CHANNELS:
            raise ValueError(f"channel {key!r}: emonTx channels are P1 to P{EMONTX_CHANNELS}")
        return f"P{int(number)}"
    text = str(key).strip()
    if isinstance(key, bool) or not text.isdigit() or not 1 <= int(text) <= MAX_MODBUS_ADDRESS:
        raise ValueError(f"channel {key!r}: a Modbus meter address is 1 to {MAX_MODBUS_ADDRESS}")
    return str(int(text))


def _sort_key(channel: str) -> int:
    return int(channel.removeprefix("P"))


def parse_source_configs(items: Iterable[object]) -> list[SerialSourceConfig]:
    """Validate `Settings.serial_sources`: each entry, unique names, one source per port."""
    configs: list[SerialSourceConfig] = []
    for index, item in enumerate(items):
        try:
            configs.append(SerialSourceConfig.from_dict(item))
        except SerialConfigError as exc:
            raise SerialConfigError(f"serial_sources[{index}]: {exc}") from None
    names: set[str] = set()
    ports: set[str] = set()
    for config in configs:
        if config.name.casefold() in names:
            raise SerialConfigError(f"two serial sources are named {config.name!r}")
        names.add(config.name.casefold())
        if config.enabled and config.port:
            if config.port in ports:
                raise SerialConfigError(f"two enabled serial sources use the port {config.port}")
            ports.add(config.port)
    return configs
