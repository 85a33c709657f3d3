"""Broker and plug settings, validated from the settings file's JSON with messages naming the field.

Settings hold `mqtt: {"url", "username", "client_id", "tls_ca"}` and `plugs: [{"name", "kind",
"topic", "device_id", "channels": {"<channel>": "<port id>"}}]`; the password lives in its own
file (see `phantom_desktop.config`), never in the settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from phantom_desktop.ingest.mqtt.families import FAMILIES, KINDS
from phantom_desktop.ingest.mqtt.tasmota import MIN_TELEPERIOD_S

MAX_TELE_PERIOD_S = 3600  # Tasmota's TelePeriod range is 10..3600 s
MAX_CHANNEL = 32
DEFAULT_PORT = 1883
DEFAULT_TLS_PORT = 8883
_WILDCARDS = re.compile(r"[+#\x00]")


class MqttConfigError(ValueError):
    """A broker or plug setting is invalid; the message says which and why."""


@dataclass(frozen=True)
class BrokerConfig:
    """Where the broker is and who we are to it. `client_id` must stay the same across runs:
    it names the persistent session that keeps unacknowledged messages for us."""

    url: str
    client_id: str
    username: str = ""
    password: str = field(default="", repr=False)
    tls_ca: str = ""

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (DEFAULT_TLS_PORT if self.tls else DEFAULT_PORT)

    @property
    def tls(self) -> bool:
        return urlsplit(self.url).scheme == "mqtts"

    @classmethod
    def from_dict(cls, data: object, password: str = "") -> BrokerConfig:
        if not isinstance(data, dict):
            raise MqttConfigError("mqtt: expected an object with a url")
        url = check_broker_url(data.get("url"))
        client_id = data.get("client_id")
        if not isinstance(client_id, str) or not client_id.strip():
            raise MqttConfigError("mqtt.client_id: must be a non-empty text")
        username = data.get("username") or ""
        tls_ca = data.get("tls_ca") or ""
        if not isinstance(username, str) or not isinstance(tls_ca, str):
            raise MqttConfigError("mqtt.username and mqtt.tls_ca must be text")
        return cls(url, client_id, username, password, tls_ca)


def check_broker_url(url: object) -> str:
    """`mqtt://host[:port]` or `mqtts://host[:port]` (TLS); raises MqttConfigError otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise MqttConfigError("mqtt.url: give the broker as mqtt://host[:port] or mqtts://...")
    url = url.strip()
    if "://" not in url:
        url = f"mqtt://{url}"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise MqttConfigError(f"mqtt.url: {exc}") from None
    if parts.scheme not in ("mqtt", "mqtts"):
        raise MqttConfigError(f"mqtt.url: scheme must be mqtt or mqtts, not {parts.scheme!r}")
    if not parts.hostname:
        raise MqttConfigError("mqtt.url: the broker's host name is missing")
    if parts.path not in ("", "/") or parts.query:
        raise MqttConfigError("mqtt.url: no path or query after host:port")
    if port == 0:
        raise MqttConfigError("mqtt.url: port must be from 1 to 65535")
    return url.rstrip("/")


@dataclass(frozen=True)
class PlugConfig:
    """One plug: its family, MQTT topic, the device it belongs to and its channel → port map."""

    name: str
    kind: str
    topic: str
    device_id: str
    channels: dict[int, str]
    # Tasmota only: the report interval the user agreed to set on the plug (None: leave it).
    tele_period_s: int | None = None

    @property
    def port_ids(self) -> frozenset[str]:
        return frozenset(self.channels.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "topic": self.topic,
            "device_id": self.device_id,
            "channels": {str(c): p for c, p in sorted(self.channels.items())},
            **({"tele_period_s": self.tele_period_s} if self.tele_period_s else {}),
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "plug") -> PlugConfig:
        if not isinstance(data, dict):
            raise MqttConfigError(f"{where}: expected an object")
        name = _text(data, "name", where)
        where = f"plug {name!r}"
        kind = data.get("kind")
        if kind not in FAMILIES:
            raise MqttConfigError(f"{where}: kind must be one of {', '.join(KINDS)}")
        topic = _text(data, "topic", where)
        if _WILDCARDS.search(topic) or topic.startswith("/") or topic.endswith("/"):
            raise MqttConfigError(f"{where}: topic {topic!r} must not hold + # or edge slashes")
        device_id = _text(data, "device_id", where)
        raw = data.get("channels")
        if not isinstance(raw, dict) or not raw:
            raise MqttConfigError(f"{where}: channels must map at least one channel to a port")
        channels: dict[int, str] = {}
        first = FAMILIES[kind].first_channel
        for key, port_id in raw.items():
            try:
                channel = int(key)
            except (TypeError, ValueError):
                raise MqttConfigError(f"{where}: channel {key!r} is not a number") from None
            if not first <= channel <= MAX_CHANNEL:
                raise MqttConfigError(f"{where}: {kind} channels count from {first} (got {key})")
            if not isinstance(port_id, str) or not port_id.strip():
                raise MqttConfigError(f"{where}: channel {key} needs a port id")
            channels[channel] = port_id.strip()
        if len(set(channels.values())) != len(channels):
            raise MqttConfigError(f"{where}: one port cannot be fed by two channels")
        tele = data.get("tele_period_s")
        if tele is not None and (
            kind != "tasmota" or isinstance(tele, bool) or not isinstance(tele, int)
            or not MIN_TELEPERIOD_S <= tele <= MAX_TELE_PERIOD_S
        ):  # fmt: skip
            raise MqttConfigError(
                f"{where}: tele_period_s is for Tasmota plugs, from {MIN_TELEPERIOD_S} to "
                f"{MAX_TELE_PERIOD_S} s"
            )
        return cls(name, kind, topic, device_id, channels, tele)


def _text(data: dict[str, object], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MqttConfigError(f"{where}: {key} must be a non-empty text")
    return value.strip()


def parse_channel_map(items: list[str], kind: str) -> dict[int, str]:
    """`CHANNEL=PORT_ID` items from the command line; a bare `PORT_ID` is the first channel."""
    first = FAMILIES[kind].first_channel
    channels: dict[int, str] = {}
    for item in items:
        channel, sep, port_id = item.partition("=")
        if not sep:
            channel, port_id = str(first), item
        try:
            number = int(channel)
        except ValueError:
            raise MqttConfigError(
                f"channel {channel.strip()!r} is not a number (write CHANNEL=PORT_ID)"
            ) from None
        if not first <= number <= MAX_CHANNEL:
            raise MqttConfigError(f"{kind} channels count from {first} (got {channel.strip()})")
        if not port_id.strip():
            raise MqttConfigError(f"channel {number}: give the port id after '='")
        if number in channels:
            raise MqttConfigError(f"channel {number} is given twice")
        channels[number] = port_id.strip()
    if len(set(channels.values())) != len(channels):
        raise MqttConfigError("one port cannot be fed by two channels")
    return channels


def plugs_from_settings(raw: object) -> list[PlugConfig]:
    """The `plugs` list of the settings; names and (kind, topic) pairs must be unique."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise MqttConfigError("plugs: expected a list")
    plugs = [PlugConfig.from_dict(item, f"plugs[{i}]") for i, item in enumerate(raw)]
    seen_names: set[str] = set()
    seen_topics: set[tuple[str, str]] = set()
    seen_ports: set[str] = set()
    for plug in plugs:
        if plug.name in seen_names:
            raise MqttConfigError(f"plug {plug.name!r} is configured twice")
        if (plug.kind, plug.topic) in seen_topics:
            raise MqttConfigError(f"plug {plug.name!r}: another plug already uses {plug.topic!r}")
        twice = seen_ports & plug.port_ids
        if twice:
            raise MqttConfigError(f"plug {plug.name!r}: port {min(twice)} is fed by another plug")
        seen_names.add(plug.name)
        seen_topics.add((plug.kind, plug.topic))
        seen_ports |= plug.port_ids
    return plugs
