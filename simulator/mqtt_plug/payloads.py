"""What each plug family publishes, and the commands it obeys (no network here).

A `Wire` knows one family's topics: the readings and relay-state messages a plug publishes,
its last will and birth message, its discovery announcement, and how it reads a command.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime

KINDS = ("tasmota", "shelly", "z2m")


@dataclass(frozen=True)
class ChannelReading:
    channel: int
    on: bool
    voltage: float
    current: float
    power: float


@dataclass(frozen=True)
class Message:
    topic: str
    payload: str
    retain: bool = False


class Wire:
    """One emulated plug's topics. Channels: Tasmota and z2m from 1, Shelly from 0."""

    def __init__(self, kind: str, topic: str, channels: int) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown plug kind {kind!r} (known: {', '.join(KINDS)})")
        self.kind, self.topic = kind, topic
        first = 0 if kind == "shelly" else 1
        self.channels = list(range(first, first + channels))
        self.tele_period_s: int | None = None  # set by a Tasmota TelePeriod command

    # -- what the plug listens to ---------------------------------------------------------------
    @property
    def command_filter(self) -> str:
        return {
            "tasmota": f"cmnd/{self.topic}/+",
            "shelly": f"{self.topic}/rpc",
            "z2m": f"{self.topic}/set",
        }[self.kind]

    def command(self, topic: str, payload: bytes) -> tuple[dict[int, bool | None], Message | None]:
        """The relay changes a command asks for ({channel: on}, None = toggle) and a direct
        reply (Shelly's RPC answer), or ({}, None) for anything else."""
        text = payload.decode("utf-8", "replace").strip()
        if self.kind == "tasmota":
            leaf = topic.rsplit("/", 1)[-1].upper()
            if leaf == "TELEPERIOD" and text.isdigit():
                self.tele_period_s = max(10, int(text))
                body = json.dumps({"TelePeriod": self.tele_period_s})
                return {}, Message(f"stat/{self.topic}/RESULT", body)
            if not leaf.startswith("POWER"):
                return {}, None
            channel = int(leaf[5:] or 1)
            wanted = {"ON": True, "1": True, "OFF": False, "0": False, "TOGGLE": None}
            if channel not in self.channels or text.upper() not in wanted:
                return {}, None
            return {channel: wanted[text.upper()]}, None
        try:
            data = json.loads(text)
        except ValueError:
            return {}, None
        if not isinstance(data, dict):
            return {}, None
        if self.kind == "shelly":
            params = data.get("params") or {}
            if data.get("method") != "Switch.Set" or not isinstance(params.get("on"), bool):
                return {}, None
            channel = int(params.get("id", 0))
            src = data.get("src") or "unknown"
            reply: dict[str, object] = {"id": data.get("id"), "src": self.topic, "dst": src}
            reply["result"] = {}
            return {channel: params["on"]} if channel in self.channels else {}, Message(
                f"{src}/rpc", json.dumps(reply)
            )
        changes: dict[int, bool | None] = {}
        for channel in self.channels:
            key = "state" if channel == 1 else f"state_l{channel}"
            value = str(data.get(key, "")).upper()
            if value in ("ON", "OFF", "TOGGLE"):
                changes[channel] = None if value == "TOGGLE" else value == "ON"
        return changes, None

    # -- what the plug publishes ----------------------------------------------------------------
    def readings(self, readings: list[ChannelReading], now: datetime) -> list[Message]:
        if self.kind == "tasmota":
            many = len(readings) > 1
            energy: dict[str, object] = {
                "Power": [r.power for r in readings] if many else readings[0].power,
                "Voltage": readings[0].voltage,
                "Current": [r.current for r in readings] if many else readings[0].current,
            }
            sensor = {"Time": now.strftime("%Y-%m-%dT%H:%M:%S"), "ENERGY": energy}
            return [Message(f"tele/{self.topic}/SENSOR", json.dumps(sensor))]
        if self.kind == "shelly":
            return [self._shelly_status(r) for r in readings]
        body: dict[str, object] = {"linkquality": 120}
        for r in readings:
            suffix = "" if r.channel == 1 else f"_l{r.channel}"
            body.update(
                {
                    f"power{suffix}": r.power,
                    f"voltage{suffix}": r.voltage,
                    f"current{suffix}": r.current,
                    f"state{suffix}": "ON" if r.on else "OFF",
                }
            )
        return [Message(self.topic, json.dumps(body))]

    def relay_state(self, reading: ChannelReading) -> list[Message]:
        """What the plug publishes right after its relay on `reading.channel` switched."""
        if self.kind == "tasmota":
            word = "ON" if reading.on else "OFF"
            key = "POWER" if len(self.channels) == 1 else f"POWER{reading.channel}"
            return [
                Message(f"stat/{self.topic}/RESULT", json.dumps({key: word})),
                Message(f"stat/{self.topic}/{key}", word),
            ]
        return (
            self.readings([reading], datetime.now())
            if self.kind == "z2m"
            else [self._shelly_status(reading)]
        )

    def _shelly_status(self, r: ChannelReading) -> Message:
        body = {
            "id": r.channel,
            "source": "timer",
            "output": r.on,
            "apower": r.power,
            "voltage": r.voltage,
            "current": r.current,
        }
        return Message(f"{self.topic}/status/switch:{r.channel}", json.dumps(body))

    def will(self) -> Message:
        """The last will: the broker publishes it when the plug vanishes."""
        return {
            "tasmota": Message(f"tele/{self.topic}/LWT", "Offline", retain=True),
            "shelly": Message(f"{self.topic}/online", "false", retain=True),
            "z2m": Message(f"{self.topic}/availability", '{"state":"offline"}', retain=True),
        }[self.kind]

    def birth(self) -> Message:
        return {
            "tasmota": Message(f"tele/{self.topic}/LWT", "Online", retain=True),
            "shelly": Message(f"{self.topic}/online", "true", retain=True),
            "z2m": Message(f"{self.topic}/availability", '{"state":"online"}', retain=True),
        }[self.kind]

    def announce(self, name: str) -> Message | None:
        """Tasmota's retained discovery config; Shelly's answer to `announce` (see
        `announce_filter`); zigbee2mqtt's device entry is merged into bridge/devices."""
        if self.kind == "tasmota":
            mac = f"{zlib.crc32(self.topic.encode()):08X}".rjust(12, "A")
            config = {
                "t": self.topic,
                "dn": name,
                "fn": [name],
                "md": "Phantom emulated plug",
                "rl": [1] * len(self.channels),
                "ft": "%prefix%/%topic%/",
                "tp": ["cmnd", "stat", "tele"],
            }
            return Message(f"tasmota/discovery/{mac}/config", json.dumps(config), retain=True)
        if self.kind == "shelly":
            body = {"id": self.topic, "model": "SNPL-00112EU", "gen": 2, "name": name}
            return Message("shellies/announce", json.dumps(body))
        return None

    def z2m_device(self) -> dict[str, object]:
        """This plug as an entry of zigbee2mqtt's `bridge/devices` list."""
        name = self.topic.split("/", 1)[1]
        exposes: list[dict[str, object]] = []
        for channel in self.channels:
            suffix = "" if channel == 1 else f"_l{channel}"
            exposes.append(
                {"type": "switch", "features": [{"name": "state", "property": f"state{suffix}"}]}
            )
            for field, unit in (("power", "W"), ("voltage", "V"), ("current", "A")):
                exposes.append({"type": "numeric", "property": f"{field}{suffix}", "unit": unit})
        return {
            "friendly_name": name,
            "ieee_address": f"0x{zlib.crc32(name.encode()):016x}",
            "type": "Router",
            "definition": {"vendor": "Phantom", "model": "emulated-plug", "exposes": exposes},
        }
