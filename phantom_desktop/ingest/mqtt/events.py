"""What a plug says (samples, relay states, availability) and what the app sends it."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Sample:
    """One channel's measurement. Missing voltage or current is 0. `at`: when the plug says it
    measured (aware), if it says so; see `plug_clock` for when that is believed."""

    channel: int
    power: float
    voltage: float = 0.0
    current: float = 0.0
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RelayState:
    """The plug reports its relay on `channel` closed (`on`) or open."""

    channel: int
    on: bool


@dataclass(frozen=True, slots=True)
class Availability:
    """The plug (or its last will) says it is online or offline."""

    online: bool


Event = Sample | RelayState | Availability


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message for the broker: a switch command or a setting."""

    topic: str
    payload: str
    qos: int = 1


@dataclass(frozen=True, slots=True)
class FoundPlug:
    """A plug heard on the broker during discovery."""

    kind: str
    topic: str
    name: str
    channels: tuple[int, ...]
    model: str = ""
    online: bool | None = None

    def merged(self, other: FoundPlug) -> FoundPlug:
        """Combine two sightings of the same plug: known fields win, channels add up."""
        return FoundPlug(
            self.kind,
            self.topic,
            other.name if other.name and other.name != other.topic else self.name,
            tuple(sorted(set(self.channels) | set(other.channels))),
            other.model or self.model,
            other.online if other.online is not None else self.online,
        )


def json_object(payload: bytes) -> JsonObject | None:
    """The payload as a JSON object, or None when it is not one."""
    try:  # decoded first: json.loads on bytes spends as long guessing the encoding
        value = json.loads(payload.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def number(value: object) -> float | None:
    """A finite, non-negative float, or None (absent, text, NaN, negative)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    if not math.isfinite(value) or value < 0:
        return None
    return value


def on_off(value: object) -> bool | None:
    """ON/OFF, true/false as plugs spell them; None when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("on", "true", "1"):
            return True
        if text in ("off", "false", "0"):
            return False
    return None


def plug_time(value: object) -> datetime | None:
    """An ISO 8601 time a plug reported, aware: without a zone it is taken as this computer's
    local time (the plug's is presumably the same); None when it is not a time."""
    return _plug_time(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=256)  # plugs report whole seconds: the same text many times
def _plug_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone() if moment.tzinfo is None else moment
