"""Which configured plug a received message belongs to, and what it says."""

from __future__ import annotations

from phantom_desktop.ingest.mqtt.config import PlugConfig
from phantom_desktop.ingest.mqtt.events import Event
from phantom_desktop.ingest.mqtt.families import FAMILIES
from phantom_desktop.ingest.mqtt.family import Family

REMEMBERED_TOPICS = 10_000


class Router:
    """Finds a message's plug: each family names the plug topic it belongs to; remembered per
    topic, so a message costs one dictionary lookup."""

    def __init__(self, plugs: list[PlugConfig]) -> None:
        self.plugs = list(plugs)
        self._by_topic = {(plug.kind, plug.topic): plug for plug in plugs}
        self._families = [FAMILIES[kind] for kind in sorted({plug.kind for plug in plugs})]
        self.by_port = {port: (plug, ch) for plug in plugs for ch, port in plug.channels.items()}
        # Each topic's family and plug, found once.
        self._found: dict[str, tuple[Family, PlugConfig] | tuple[()]] = {}

    def subscriptions(self) -> list[str]:
        topics: list[str] = []
        for plug in self.plugs:
            topics.extend(FAMILIES[plug.kind].subscriptions(plug.topic))
        return list(dict.fromkeys(topics))

    def route(self, mqtt_topic: str, payload: bytes) -> tuple[PlugConfig, list[Event]] | None:
        found = self._found.get(mqtt_topic)
        if found is None:
            if len(self._found) >= REMEMBERED_TOPICS:  # wildcard leaves can be many
                self._found.clear()
            found = self._found[mqtt_topic] = self._find(mqtt_topic)
        if not found:
            return None
        family, plug = found
        return plug, family.parse(plug.topic, mqtt_topic, payload)

    def _find(self, mqtt_topic: str) -> tuple[Family, PlugConfig] | tuple[()]:
        for family in self._families:
            topic = family.plug_topic(mqtt_topic)
            plug = self._by_topic.get((family.kind, topic)) if topic is not None else None
            if plug is not None:
                return family, plug
        return ()
