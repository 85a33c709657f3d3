"""Find plugs: listen on the broker for a few seconds and list the plugs heard.

Tasmota announces itself with retained `tasmota/discovery/<mac>/config` messages and its
`tele/<t>/LWT`; Shelly Gen2+ with `<prefix>/online` and its switch status (and answers an
`announce` on `shellies/command`); zigbee2mqtt lists its devices in retained `bridge/devices`.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from phantom_desktop.ingest.mqtt.client import connect_async, make_client, reason_text
from phantom_desktop.ingest.mqtt.config import BrokerConfig
from phantom_desktop.ingest.mqtt.events import FoundPlug
from phantom_desktop.ingest.mqtt.families import FAMILIES
from phantom_desktop.ingest.mqtt.shelly import ANNOUNCE_REQUEST

DEFAULT_SECONDS = 5.0


class DiscoveryError(RuntimeError):
    """The broker could not be reached or refused us; the message says why."""


class Sightings:
    """Plugs heard so far, merged by (kind, topic)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], FoundPlug] = {}
        self._lock = threading.Lock()

    def hear(self, mqtt_topic: str, payload: bytes) -> None:
        for family in FAMILIES.values():
            for plug in family.discover(mqtt_topic, payload):
                key = (plug.kind, plug.topic)
                with self._lock:
                    old = self._found.get(key)
                    self._found[key] = plug if old is None else old.merged(plug)

    def plugs(self) -> list[FoundPlug]:
        """Plausible plugs, sorted: a bare `<x>/online` is a Shelly only if named like one."""
        with self._lock:
            found = list(self._found.values())
        result = []
        for plug in found:
            if not plug.channels:
                if plug.kind == "shelly" and not plug.model and "shelly" not in plug.topic.lower():
                    continue
                first = FAMILIES[plug.kind].first_channel
                plug = replace(plug, channels=(first,))
            result.append(plug)
        return sorted(result, key=lambda p: (p.kind, p.name.lower(), p.topic))


def discover(broker: BrokerConfig, seconds: float = DEFAULT_SECONDS) -> list[FoundPlug]:
    """Listen `seconds` on `broker` (blocking; call it off the GUI thread)."""
    sightings = Sightings()
    connected = threading.Event()
    failure: list[str] = []
    client = make_client(broker, client_id=f"phantom-discover-{uuid.uuid4().hex[:12]}")

    def on_connect(
        client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            failure.append(f"the broker refused us: {reason_text(reason_code)}")
        else:
            client.subscribe("#", qos=0)
            client.publish(ANNOUNCE_REQUEST.topic, ANNOUNCE_REQUEST.payload, ANNOUNCE_REQUEST.qos)
        connected.set()

    def on_connect_fail(_client: mqtt.Client, _userdata: object) -> None:
        failure.append(f"cannot reach the broker at {broker.host}:{broker.port}")
        connected.set()

    client.on_connect = on_connect
    client.on_connect_fail = on_connect_fail

    def on_message(_client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
        sightings.hear(message.topic, bytes(message.payload))

    client.on_message = on_message
    connect_async(client, broker, persistent=False)
    client.loop_start()
    try:
        if not connected.wait(min(seconds, 5.0) + 5.0):
            raise DiscoveryError(f"cannot reach the broker at {broker.host}:{broker.port}")
        if failure:
            raise DiscoveryError(failure[0])
        threading.Event().wait(seconds)
    finally:
        client.disconnect()
        client.loop_stop()
    return sightings.plugs()
