"""Shelly Gen2+: `<prefix>/status/switch:<n>`, `<prefix>/online`; switch with an RPC
`Switch.Set` on `<prefix>/rpc`.

Channels are the switch ids, from 0. The default prefix is the device id
(e.g. `shellyplusplugs-a8032ab12345`).
"""

from __future__ import annotations

import itertools
import json
import re

from phantom_desktop.ingest.mqtt.events import (
    Availability,
    Event,
    FoundPlug,
    Outgoing,
    RelayState,
    Sample,
    json_object,
    number,
)

_STATUS = re.compile(r"(?P<prefix>.+)/status/switch:(?P<id>\d+)")
ANNOUNCE_REQUEST = Outgoing("shellies/command", "announce", qos=0)
_rpc_ids = itertools.count(1)


class Shelly:
    kind = "shelly"
    first_channel = 0

    def subscriptions(self, topic: str) -> list[str]:
        return [f"{topic}/status/+", f"{topic}/online"]

    def plug_topic(self, mqtt_topic: str) -> str | None:
        match = _STATUS.fullmatch(mqtt_topic)
        if match:
            return match.group("prefix")
        if mqtt_topic.endswith("/online"):
            return mqtt_topic[: -len("/online")]
        return None

    def parse(self, topic: str, mqtt_topic: str, payload: bytes) -> list[Event]:
        if mqtt_topic == f"{topic}/online":
            return [Availability(payload.strip().lower() == b"true")]
        match = _STATUS.fullmatch(mqtt_topic)
        data = json_object(payload) if match else None
        if not match or data is None:
            return []
        channel = int(match.group("id"))
        events: list[Event] = []
        power = number(data.get("apower"))
        if power is not None:
            voltage, current = number(data.get("voltage")), number(data.get("current"))
            events.append(Sample(channel, power, voltage or 0.0, current or 0.0))
        if isinstance(data.get("output"), bool):
            events.append(RelayState(channel, data["output"]))
        return events

    def switch(self, topic: str, channel: int, on: bool) -> Outgoing:
        request = {
            "id": next(_rpc_ids),
            "src": "phantom-desktop",
            "method": "Switch.Set",
            "params": {"id": channel, "on": on},
        }
        return Outgoing(f"{topic}/rpc", json.dumps(request))

    def discover(self, mqtt_topic: str, payload: bytes) -> list[FoundPlug]:
        if mqtt_topic == "shellies/announce":
            data = json_object(payload)
            if not data or not isinstance(data.get("id"), str) or data.get("gen", 1) < 2:
                return []
            name = data.get("name") if isinstance(data.get("name"), str) else None
            model = str(data.get("model", ""))
            return [FoundPlug(self.kind, data["id"], name or data["id"], (), model)]
        match = _STATUS.fullmatch(mqtt_topic)
        if match:
            data = json_object(payload)
            if data is None or number(data.get("apower")) is None:
                return []  # a switch without a meter cannot be measured
            prefix = match.group("prefix")
            return [FoundPlug(self.kind, prefix, prefix, (int(match.group("id")),))]
        if mqtt_topic.endswith("/online") and payload.strip().lower() in (b"true", b"false"):
            prefix = mqtt_topic[: -len("/online")]
            online = payload.strip().lower() == b"true"
            return [FoundPlug(self.kind, prefix, prefix, (), online=online)]
        return []
