"""Tasmota: `tele/<t>/SENSOR`, `stat/<t>/POWER[n]`, `stat/<t>/RESULT`, `tele/<t>/LWT`.

Channels count from 1 as Tasmota's POWER1..POWER8 do; a single-relay plug answers on
`stat/<t>/POWER` (no number) and reports scalar ENERGY values, a multi-channel one arrays.
"""

from __future__ import annotations

import re

from phantom_desktop.ingest.mqtt.events import (
    Availability,
    Event,
    FoundPlug,
    JsonObject,
    Outgoing,
    RelayState,
    Sample,
    json_object,
    number,
    on_off,
    plug_time,
)

_POWER_KEY = re.compile(r"POWER(\d*)")
MIN_TELEPERIOD_S = 10


class Tasmota:
    kind = "tasmota"
    first_channel = 1

    def subscriptions(self, topic: str) -> list[str]:
        tele = [f"tele/{topic}/{leaf}" for leaf in ("SENSOR", "STATE", "LWT")]
        return [*tele, f"stat/{topic}/+"]

    def plug_topic(self, mqtt_topic: str) -> str | None:
        parts = mqtt_topic.split("/")
        if len(parts) == 3 and parts[0] in ("tele", "stat"):
            return parts[1]
        return None

    def parse(self, topic: str, mqtt_topic: str, payload: bytes) -> list[Event]:
        prefix, _, leaf = mqtt_topic.split("/")
        if prefix == "tele" and leaf == "SENSOR":
            return list(_sensor(payload))
        if prefix == "tele" and leaf == "LWT":
            return [Availability(payload.strip().lower() == b"online")]
        if (prefix == "tele" and leaf == "STATE") or (prefix == "stat" and leaf == "RESULT"):
            data = json_object(payload)
            return _relays(data) if data else []
        match = _POWER_KEY.fullmatch(leaf)
        if prefix == "stat" and match:
            state = on_off(payload.decode("utf-8", "replace"))
            return [] if state is None else [RelayState(int(match.group(1) or 1), state)]
        return []

    def switch(self, topic: str, channel: int, on: bool) -> Outgoing:
        return Outgoing(f"cmnd/{topic}/POWER{channel}", "ON" if on else "OFF")

    def tele_period(self, topic: str, seconds: int) -> Outgoing:
        """Ask the plug to report every `seconds` (Tasmota's default of 300 s is too slow)."""
        return Outgoing(f"cmnd/{topic}/TelePeriod", str(max(MIN_TELEPERIOD_S, int(seconds))))

    def discover(self, mqtt_topic: str, payload: bytes) -> list[FoundPlug]:
        parts = mqtt_topic.split("/")
        if len(parts) == 4 and parts[:2] == ["tasmota", "discovery"] and parts[3] == "config":
            data = json_object(payload)
            if not data or not isinstance(data.get("t"), str):
                return []
            relays: list[object] = data["rl"] if isinstance(data.get("rl"), list) else []
            channels = tuple(i + 1 for i, kind in enumerate(relays) if kind) or (1,)
            names = data.get("fn") if isinstance(data.get("fn"), list) else []
            name = data.get("dn") or (names[0] if names and names[0] else data["t"])
            return [FoundPlug(self.kind, data["t"], str(name), channels, str(data.get("md", "")))]
        topic = self.plug_topic(mqtt_topic)
        if topic is None:
            return []
        if parts[0] == "tele" and parts[2] == "LWT":
            online = payload.strip().lower() == b"online"
            return [FoundPlug(self.kind, topic, topic, (), online=online)]
        if parts[0] == "tele" and parts[2] == "SENSOR":
            samples = _sensor(payload)
            if samples:
                return [FoundPlug(self.kind, topic, topic, tuple(s.channel for s in samples))]
        return []


def _sensor(payload: bytes) -> list[Sample]:
    data = json_object(payload)
    energy = data.get("ENERGY") if data else None
    if not isinstance(energy, dict):
        return []
    raw_powers: object = energy.get("Power")
    powers: list[object] = raw_powers if isinstance(raw_powers, list) else [raw_powers]
    at = plug_time(data.get("Time")) if data else None
    samples: list[Sample] = []
    for index, raw in enumerate(powers):
        power = number(raw)
        if power is None:
            continue
        samples.append(
            Sample(
                index + 1,
                power,
                _channel_value(energy.get("Voltage"), index),
                _channel_value(energy.get("Current"), index),
                at,
            )
        )
    return samples


def _channel_value(value: object, index: int) -> float:
    """A per-channel array's entry, or the shared scalar (one voltage for all channels)."""
    if isinstance(value, list):
        value = value[index] if index < len(value) else None
    return number(value) or 0.0


def _relays(data: JsonObject) -> list[Event]:
    events: list[Event] = []
    for key, value in data.items():
        match = _POWER_KEY.fullmatch(key)
        state = on_off(value) if match else None
        if match and state is not None:
            events.append(RelayState(int(match.group(1) or 1), state))
    return events
