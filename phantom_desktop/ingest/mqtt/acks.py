"""Broker acknowledgements in arrival order, each sent once its message is done.

MQTT wants PUBACKs in the order the messages arrived; a message is done when the writer has
committed its readings (or it carried none). A reconnect starts a new generation: packet ids of
the old connection mean nothing to the new one, so their late completions are not sent (the
broker redelivers those messages instead).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable


class AckEntry:
    __slots__ = ("done", "generation", "mid", "qos")

    def __init__(self, mid: int, qos: int, generation: int) -> None:
        self.mid = mid
        self.qos = qos
        self.generation = generation
        self.done = False


class AckQueue:
    """Thread-safe: `add` on the client thread, `done` on any thread."""

    def __init__(self, send: Callable[[int, int], object]) -> None:
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
        with self._lock:
            entry = AckEntry(mid, qos, self._generation)
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
                while self._order and self._order[0].done:
                    head = self._order.popleft()
                    if head.generation == self._generation:
                        due.append(head)
            for head in due:
                self._send(head.mid, head.qos)
            self.sent += len(due)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._order)
