"""paho's client with less work per message: a read buffer, lean PUBLISH decoding, batched
PUBACKs.

At thousands of messages a second paho's own work was most of the source's CPU:

- it reads each packet with three `recv` calls (type byte, length, body) after a `select`;
  here the socket is read 64 KiB at a time (`ReadBuffer`; it answers `pending()` as a TLS
  socket does, so paho goes on reading without waiting in `select`);
- it builds an MQTT 5 `Properties` object for every PUBLISH (~40 % of its cost per message);
  `_handle_publish` here skips that when the message has no properties (plugs send none) and
  leaves anything else (properties, QoS 2, automatic acknowledgement, MQTT 3) to paho;
- it queues each PUBLISH acknowledgement as a packet of its own with a wake-up byte to its loop
  thread; `ack_many` queues those of a committed batch as one write.

These use paho's internals (`_create_socket`, `_handle_publish`, `_in_packet`, `_packet_queue`,
`_handle_on_message`); constraints.txt pins the version the tests run against.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable
from typing import Any

import paho.mqtt.client as mqtt

READ_SIZE = 65536
_PUBACK = struct.Struct("!BBH")  # type, remaining length 2, packet id (reason: success)


class ReadBuffer:
    """A socket (plain, TLS or paho's websocket) whose reads are served from a buffer."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._buffer = b""
        self._position = 0

    def recv(self, size: int) -> bytes:
        if self._position >= len(self._buffer):
            data: bytes = self._sock.recv(max(size, READ_SIZE))  # BlockingIOError... reach paho
            if len(data) <= size:
                return data  # b"" (closed) included
            self._buffer, self._position = data, 0
        start = self._position
        self._position = min(start + size, len(self._buffer))
        return self._buffer[start : self._position]

    def pending(self) -> int:
        """Bytes already received (or decrypted) but not yet handed to paho."""
        inner = getattr(self._sock, "pending", None)
        return len(self._buffer) - self._position + (inner() if inner is not None else 0)

    def next_type(self) -> int | None:
        """The packet type of the next buffered packet (None: nothing buffered)."""
        if self._position >= len(self._buffer):
            return None
        return self._buffer[self._position] & 0xF0

    def __getattr__(self, name: str) -> Any:  # send, fileno, close, setblocking...
        return getattr(self._sock, name)


def more_messages(client: mqtt.Client) -> bool:
    """Whether the client has already received the start of another message (PUBLISH)."""
    sock = client.socket()
    return isinstance(sock, ReadBuffer) and sock.next_type() == mqtt.PUBLISH


class BufferedClient(mqtt.Client):
    """A paho client reading through a `ReadBuffer`, with `ack_many`."""

    def _create_socket(self) -> Any:
        return ReadBuffer(super()._create_socket())

    def _handle_publish(self) -> mqtt.MQTTErrorCode:
        """A PUBLISH without properties, QoS 0 or 1, manual ack: decoded here; else by paho."""
        header, packet = self._in_packet["command"], self._in_packet["packet"]
        qos = (header & 0x06) >> 1
        topic_end = 2 + int.from_bytes(packet[:2], "big")
        properties_at = topic_end + (2 if qos else 0)  # after the packet id
        if (
            self._protocol != mqtt.MQTTv5
            or not self._manual_ack
            or qos > 1
            or len(packet) <= properties_at
            or packet[properties_at] != 0  # properties: paho decodes them
        ):
            return super()._handle_publish()
        mid = int.from_bytes(packet[topic_end:properties_at], "big")
        message = mqtt.MQTTMessage(mid, bytes(packet[2:topic_end]))
        message.dup, message.qos, message.retain = bool(header & 0x08), qos, bool(header & 0x01)
        message.payload = bytes(packet[properties_at + 1 :])
        message.timestamp = time.monotonic()
        self._handle_on_message(message)
        return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS  # acknowledged later, by ack_many

    def ack_many(self, mids: Iterable[int]) -> None:
        """Acknowledge these QoS 1 messages (manual ack), in this order, with one write."""
        packet = b"".join(_PUBACK.pack(mqtt.PUBACK, 2, mid) for mid in mids)
        if packet:
            self._packet_queue(mqtt.PUBACK, packet, 0, 0)
