"""The MQTT source the settings ask for: the broker (`mqtt`) and its plugs (`plugs`)."""

from __future__ import annotations

from phantom_desktop.ingest.mqtt.config import BrokerConfig, MqttConfigError, plugs_from_settings
from phantom_desktop.ingest.mqtt.source import MqttSource
from phantom_desktop.ingest.writer import Writer


def source_from_settings(
    mqtt: object, plugs: object, writer: Writer, password: str = ""
) -> MqttSource | None:
    """None when no plug is configured; MqttConfigError when the settings are invalid."""
    configs = plugs_from_settings(plugs)
    if not configs:
        return None
    if not mqtt:
        raise MqttConfigError("plugs are configured but no broker: set one with `mqtt broker URL`")
    return MqttSource(BrokerConfig.from_dict(mqtt, password), configs, writer)
