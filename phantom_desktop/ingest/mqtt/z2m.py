"""zigbee2mqtt: `<base>/<name>` (`power`, `voltage`, `current`, `state`),
`<base>/<name>/availability`; switch with `<base>/<name>/set {"state": "OFF"}`.

A plug's topic is the whole `<base>/<name>` (base `zigbee2mqtt` unless configured otherwise).
Channel 1 is the unsuffixed `state`/`power`; multi-endpoint plugs add `state_l2`, `power_l2`...
"""

from __future__ import annotations

import json
import re
from typing import Any

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
)

DEFAULT_BASE = "zigbee2mqtt"
_ENDPOINT_KEY = re.compile(r"(power|voltage|current|state)(?:_l(\d+))?")
_RESERVED = ("/set", "/get", "/availability")


class Zigbee2Mqtt:
    kind = "z2m"
    first_channel = 1

    def subscriptions(self, topic: str) -> list[str]:
        return [topic, f"{topic}/availability"]

    def plug_topic(self, mqtt_topic: str) -> str | None:
        if "/bridge/" in mqtt_topic:
            return None
        if mqtt_topic.endswith("/availability"):
            return mqtt_topic[: -len("/availability")]
        if mqtt_topic.endswith(_RESERVED) or "/" not in mqtt_topic:
            return None
        return mqtt_topic

    def parse(self, topic: str, mqtt_topic: str, payload: bytes) -> list[Event]:
        if mqtt_topic == f"{topic}/availability":
            data = json_object(payload)
            state = data.get("state") if data else payload.decode("utf-8", "replace")
            return [Availability(str(state).strip().lower() == "online")]
        if mqtt_topic != topic:
            return []
        data = json_object(payload)
        return _events(data) if data else []

    def switch(self, topic: str, channel: int, on: bool) -> Outgoing:
        key = "state" if channel == 1 else f"state_l{channel}"
        return Outgoing(f"{topic}/set", json.dumps({key: "ON" if on else "OFF"}))

    def discover(self, mqtt_topic: str, payload: bytes) -> list[FoundPlug]:
        if not mqtt_topic.endswith("/bridge/devices"):
            return []
        base = mqtt_topic[: -len("/bridge/devices")]
        try:
            devices = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return []
        if not isinstance(devices, list):
            return []
        found = []
        for device in devices:
            plug = _plug_of(base, device) if isinstance(device, dict) else None
            if plug is not None:
                found.append(plug)
        return found


def _events(data: JsonObject) -> list[Event]:
    values: dict[int, dict[str, object]] = {}
    for key, value in data.items():
        match = _ENDPOINT_KEY.fullmatch(key)
        if match:
            values.setdefault(int(match.group(2) or 1), {})[match.group(1)] = value
    events: list[Event] = []
    for channel, fields in sorted(values.items()):
        power = number(fields.get("power"))
        if power is not None:
            voltage, current = number(fields.get("voltage")), number(fields.get("current"))
            events.append(Sample(channel, power, voltage or 0.0, current or 0.0))
        state = on_off(fields.get("state"))
        if state is not None:
            events.append(RelayState(channel, state))
    return events


def _plug_of(base: str, device: JsonObject) -> FoundPlug | None:
    """A metered switch among zigbee2mqtt's devices: it exposes `power` and a switch `state`."""
    definition = device.get("definition") or {}
    name = device.get("friendly_name")
    if not isinstance(name, str) or not isinstance(definition, dict):
        return None
    properties = set(_properties(definition.get("exposes") or []))
    if not any(p == "power" or p.startswith("power_l") for p in properties):
        return None
    channels = sorted(
        int(match.group(2) or 1)
        for p in properties
        if (match := _ENDPOINT_KEY.fullmatch(p)) and match.group(1) == "state"
    )
    if not channels:
        return None
    model = " ".join(str(definition.get(k, "")) for k in ("vendor", "model")).strip()
    return FoundPlug("z2m", f"{base}/{name}", name, tuple(channels), model)


def _properties(exposes: list[Any]) -> list[str]:
    found: list[str] = []
    for expose in exposes:
        if not isinstance(expose, dict):
            continue
        if isinstance(expose.get("property"), str):
            found.append(expose["property"])
        found.extend(_properties(expose.get("features") or []))
    return found
