"""paho's client with fewer system calls per message: a read buffer and batched PUBACKs.

paho reads each packet with three `recv` calls (type byte, length, body) after a `select`,
and queues each PUBACK as a packet of its own, with a wake-up byte to its loop thread. At
thousands of messages a second that is much of the source's CPU. Here the socket is read
64 KiB at a time (`ReadBuffer`; it answers `pending()` as a TLS socket does, so paho goes on
reading without waiting in `select`), and `ack_many` queues the PUBACKs of a committed batch
as one write.

Uses two of paho's internals (`_create_socket`, `_packet_queue`, alike in paho-mqtt 1.x and
2.x); constraints.txt pins the version the tests run against.
"""

from __future__ import annotations

import struct
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

    def ack_many(self, mids: Iterable[int]) -> None:
        """Acknowledge these QoS 1 messages (manual ack), in this order, with one write."""
        packet = b"".join(_PUBACK.pack(mqtt.PUBACK, 2, mid) for mid in mids)
        if packet:
            self._packet_queue(mqtt.PUBACK, packet, 0, 0)
