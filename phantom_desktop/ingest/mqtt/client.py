"""A paho-mqtt 2.x client set up from a BrokerConfig: MQTT 5, TLS, credentials, session."""

from __future__ import annotations

import ssl

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from phantom_desktop.ingest.mqtt.buffered import BufferedClient
from phantom_desktop.ingest.mqtt.config import BrokerConfig

# The broker keeps our session, and the QoS 1 messages we have not acknowledged, this long
# while we are away (e.g. the computer is off for a holiday).
SESSION_EXPIRY_S = 30 * 24 * 3600
# Messages the broker may send before we acknowledge any: many, so that group commits stay full.
RECEIVE_MAXIMUM = 2000
KEEPALIVE_S = 30


def make_client(
    broker: BrokerConfig, *, client_id: str | None = None, manual_ack: bool = False
) -> BufferedClient:
    """A client for `broker`, not yet connected. `manual_ack`: messages are acknowledged only
    by `client.ack_many(mids)`."""
    client = BufferedClient(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id if client_id is not None else broker.client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=manual_ack,
    )
    if broker.username:
        client.username_pw_set(broker.username, broker.password or None)
    if broker.tls:
        client.tls_set(ca_certs=broker.tls_ca or None, tls_version=ssl.PROTOCOL_TLS_CLIENT)
    return client


def connect_properties(persistent: bool) -> Properties:
    """CONNECT properties: a long-lived session when `persistent`, and a large receive window."""
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.ReceiveMaximum = RECEIVE_MAXIMUM
    if persistent:
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
    return properties


def connect_async(client: mqtt.Client, broker: BrokerConfig, *, persistent: bool) -> None:
    """Start connecting (the loop thread completes it and reconnects after losses)."""
    client.connect_async(
        broker.host,
        broker.port,
        keepalive=KEEPALIVE_S,
        clean_start=not persistent,
        properties=connect_properties(persistent),
    )


def reason_text(reason_code: object) -> str:
    """A paho reason code as words ('Not authorized', 'Server unavailable'...)."""
    return str(getattr(reason_code, "getName", lambda: reason_code)())
