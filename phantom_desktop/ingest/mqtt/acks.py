"""Broker acknowledgements in arrival order, each sent once its message is done.

MQTT wants PUBACKs in the order the messages arrived; a message is done when the writer has
committed its readings (or it carried none). A reconnect starts a new generation: packet ids of
the old connection mean nothing to the new one, so their late completions are not sent (the
broker redelivers those messages instead). The subscriptions are QoS 1: every acknowledgement
is a PUBACK, and those due together are sent in one call.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable


class AckEntry:
    __slots__ = ("done", "generation", "mid")

    def __init__(self, mid: int, generation: int) -> None:
        self.mid = mid
        self.generation = generation
        self.done = False


class AckQueue:
    """Thread-safe: `add` on the client thread, `done` on any thread. `send(mids)` gets the
    packet ids now due, in order."""

    def __init__(self, send: Callable[[list[int]], object]) -> None:
        self._send = send
        self._lock = threading.Lock()  # the queue; held briefly
        self._send_lock = threading.Lock()  # the order of sends; held while sending
        self._order: deque[AckEntry] = deque()
        self._generation = 0
        self.sent = 0

    def new_connection(self) -> None:
        with self._lock:
            self._generation += 1
            self._order.clear()

    def add(self, mid: int, qos: int) -> AckEntry:
        """A message arrived; QoS 0 needs no acknowledgement."""
        with self._lock:
            entry = AckEntry(mid, self._generation)
            if qos > 0:
                self._order.append(entry)
        return entry

    def done(self, entry: AckEntry) -> None:
        self.done_many([entry])

    def done_many(self, entries: list[AckEntry]) -> None:
        """Mark `entries` done and send every acknowledgement now due, in order. New messages
        can be added meanwhile: only the sending waits for an earlier sender."""
        with self._send_lock:
            due = []
            with self._lock:
                for entry in entries:
                    entry.done = True
                order, generation = self._order, self._generation
                while order and order[0].done:
                    head = order.popleft()
                    if head.generation == generation:
                        due.append(head.mid)
            if due:
                self._send(due)
                self.sent += len(due)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._order)
