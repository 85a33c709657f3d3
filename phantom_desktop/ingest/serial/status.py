"""A serial source's state and counters: written by its thread and the writer, read by the UI."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal

State = Literal["connecting", "connected", "reconnecting", "error", "stopped"]
RATE_WINDOW_S = 10.0
COUNTERS = (
    "readings",  # acknowledged by the writer (committed)
    "rejected",  # refused by the writer (unknown device or port, store unavailable)
    "dropped",  # not queued: the writer was stopped or overloaded
    "garbage",  # unusable lines, stray bytes, Modbus exception replies
    "crc_errors",  # Modbus frames with a bad CRC
    "timeouts",  # Modbus meters that did not answer
    "reconnects",  # connections lost
    "written",  # status lines written back to a relay board
)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A snapshot for the window: never changes after it is taken."""

    name: str
    protocol: str
    state: State
    reason: str
    port: str
    readings_per_s: float
    readings: int
    rejected: int
    dropped: int
    garbage: int
    crc_errors: int
    timeouts: int
    reconnects: int
    written: int

    @property
    def errors(self) -> int:
        return self.rejected + self.dropped + self.garbage + self.crc_errors + self.timeouts


class SourceStats:
    """Thread-safe counters, state and the acknowledged-readings rate of one source."""

    def __init__(self, name: str, protocol: str, port: str) -> None:
        self._lock = threading.Lock()
        self._name = name
        self._protocol = protocol
        self._state: State = "stopped"
        self._reason = ""
        self._port = port
        self._counts = dict.fromkeys(COUNTERS, 0)
        self._acks: deque[tuple[float, int]] = deque()
        self._rate_since = time.monotonic()

    def count(self, counter: str, n: int = 1) -> None:
        with self._lock:
            self._counts[counter] += n

    def acknowledged(self, n: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._counts["readings"] += n
            self._acks.append((now, n))
            self._trim(now)

    def set_state(self, state: State, reason: str = "", port: str | None = None) -> None:
        with self._lock:
            if state == "connected" and self._state != "connected":
                self._rate_since = time.monotonic()
            self._state = state
            self._reason = reason
            if port is not None:
                self._port = port

    @property
    def state(self) -> State:
        return self._state

    def get(self, counter: str) -> int:
        return self._counts[counter]

    def snapshot(self) -> SourceStatus:
        now = time.monotonic()
        with self._lock:
            self._trim(now)
            span = min(RATE_WINDOW_S, max(1.0, now - self._rate_since))
            rate = sum(n for _, n in self._acks) / span
            return SourceStatus(
                self._name,
                self._protocol,
                self._state,
                self._reason,
                self._port,
                rate,
                **self._counts,
            )

    def _trim(self, now: float) -> None:
        while self._acks and self._acks[0][0] < now - RATE_WINDOW_S:
            self._acks.popleft()


class LogThrottle:
    """Logs a recurring problem the first time, then at most once per `interval_s` per key."""

    def __init__(self, logger: logging.Logger, interval_s: float = 30.0) -> None:
        self._logger = logger
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._last: dict[str, tuple[float, int]] = {}

    def warning(self, key: str, message: str, *args: object) -> None:
        now = time.monotonic()
        with self._lock:
            last, suppressed = self._last.get(key, (-self._interval_s, 0))
            if now - last < self._interval_s:
                self._last[key] = (last, suppressed + 1)
                return
            self._last[key] = (now, 0)
        if suppressed:
            message += " (%d more since the last report)"
            args = (*args, suppressed)
        self._logger.warning(message, *args)
