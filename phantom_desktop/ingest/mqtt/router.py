"""Which configured plug a received message belongs to, and what it says."""

from __future__ import annotations

from phantom_desktop.ingest.mqtt.config import PlugConfig
from phantom_desktop.ingest.mqtt.events import Event
from phantom_desktop.ingest.mqtt.families import FAMILIES


class Router:
    """Finds a message's plug in O(1) per family: each family names the plug topic it belongs to."""

    def __init__(self, plugs: list[PlugConfig]) -> None:
        self.plugs = list(plugs)
        self._by_topic = {(plug.kind, plug.topic): plug for plug in plugs}
        self._families = [FAMILIES[kind] for kind in sorted({plug.kind for plug in plugs})]
        self.by_port = {port: (plug, ch) for plug in plugs for ch, port in plug.channels.items()}

    def subscriptions(self) -> list[str]:
        topics: list[str] = []
        for plug in self.plugs:
            topics.extend(FAMILIES[plug.kind].subscriptions(plug.topic))
        return list(dict.fromkeys(topics))

    def route(self, mqtt_topic: str, payload: bytes) -> tuple[PlugConfig, list[Event]] | None:
        for family in self._families:
            topic = family.plug_topic(mqtt_topic)
            plug = self._by_topic.get((family.kind, topic)) if topic is not None else None
            if plug is not None:
                return plug, family.parse(plug.topic, mqtt_topic, payload)
        return None
