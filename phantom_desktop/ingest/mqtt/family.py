"""The interface every plug family implements (Tasmota, Shelly, zigbee2mqtt)."""

from __future__ import annotations

from typing import Protocol

from phantom_desktop.ingest.mqtt.events import Event, FoundPlug, Outgoing


class Family(Protocol):
    """Topics, payloads and commands of one kind of plug. Stateless; shared by all plugs."""

    kind: str
    first_channel: int  # the channel of a single-relay plug (Tasmota 1, Shelly 0, z2m 1)

    def subscriptions(self, topic: str) -> list[str]:
        """Topic filters that carry this plug's readings, relay state and availability."""
        ...

    def plug_topic(self, mqtt_topic: str) -> str | None:
        """The plug topic a received message belongs to, or None when it is not this family's."""
        ...

    def parse(self, topic: str, mqtt_topic: str, payload: bytes) -> list[Event]:
        """What a message of plug `topic` says; [] for messages without meaning to us."""
        ...

    def switch(self, topic: str, channel: int, on: bool) -> Outgoing:
        """The command that closes (`on`) or opens the relay of `channel`."""
        ...

    def discover(self, mqtt_topic: str, payload: bytes) -> list[FoundPlug]:
        """Plugs this message reveals (announcements, device lists, availability)."""
        ...
