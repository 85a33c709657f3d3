"""An MQTT source's connection state, counters and what each plug last said; read by the UI."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from phantom_desktop.ingest.mqtt.cuts import SwitchRequest

State = Literal["connecting", "connected", "reconnecting", "error", "stopped"]
COUNTERS = (
    "messages",  # received from the broker for configured plugs
    "readings",  # committed by the writer
    "rejected",  # refused by the writer (unknown device or port)
    "retried",  # resubmitted after the store or the writer could not take them
    "duplicates",  # redelivered messages whose readings were already committed
    "ignored",  # retained or unmapped samples, unreadable payloads
    "reconnects",  # connections lost
    "commands",  # switch commands published
)


@dataclass(frozen=True, slots=True)
class PlugState:
    """What one plug last told us. `online` is None until it says."""

    name: str
    kind: str
    topic: str
    online: bool | None = None
    relays: dict[int, bool] = field(default_factory=dict)
    last_seen: float | None = None  # time.time() of its last message


@dataclass(frozen=True, slots=True)
class MqttStatus:
    """A snapshot for the window and the command line; never changes after it is taken."""

    name: str
    url: str
    state: State
    reason: str
    counts: dict[str, int]
    plugs: dict[str, PlugState]
    switches: dict[str, SwitchRequest]


class MqttStats:
    """Thread-safe counters, connection state and plug states of one source."""

    def __init__(self, name: str, url: str, plugs: list[PlugState]) -> None:
        self._lock = threading.Lock()
        self._name, self._url = name, url
        self._state: State = "stopped"
        self._reason = ""
        self._counts = dict.fromkeys(COUNTERS, 0)
        self._plugs = {p.name: p for p in plugs}
        self._online: dict[str, bool | None] = {p.name: p.online for p in plugs}
        self._relays: dict[str, dict[int, bool]] = {p.name: dict(p.relays) for p in plugs}
        self._seen: dict[str, float | None] = dict.fromkeys(self._plugs)

    def count(self, counter: str, n: int = 1) -> None:
        with self._lock:
            self._counts[counter] += n

    def get(self, counter: str) -> int:
        return self._counts[counter]

    def set_state(self, state: State, reason: str = "") -> None:
        with self._lock:
            self._state, self._reason = state, reason

    @property
    def state(self) -> State:
        return self._state

    def heard(
        self, plug: str, online: bool | None = None, relay: tuple[int, bool] | None = None
    ) -> None:
        """Record a message from `plug`, with its availability or relay state if it said so."""
        with self._lock:
            self._seen[plug] = time.time()
            if online is not None:
                self._online[plug] = online
            if relay is not None:
                self._relays[plug][relay[0]] = relay[1]

    def heard_samples(self, plugs: Iterable[str], messages: int) -> None:
        """Record `messages` messages with readings from `plugs` (online, since they measure)."""
        now = time.time()
        with self._lock:
            self._counts["messages"] += messages
            for plug in plugs:
                self._seen[plug] = now
                self._online[plug] = True

    def plug(self, name: str) -> PlugState:
        with self._lock:
            return self._plug(name)

    def _plug(self, name: str) -> PlugState:
        old = self._plugs[name]
        relays = dict(self._relays[name])
        return PlugState(
            old.name, old.kind, old.topic, self._online[name], relays, self._seen[name]
        )

    def snapshot(self, switches: dict[str, SwitchRequest]) -> MqttStatus:
        with self._lock:
            return MqttStatus(
                self._name,
                self._url,
                self._state,
                self._reason,
                dict(self._counts),
                {name: self._plug(name) for name in self._plugs},
                switches,
            )
