"""Cuts and switch-ons sent to plugs, and whether each plug confirmed them in time."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Literal

CutState = Literal["pending", "confirmed", "not_confirmed"]
CONFIRM_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class SwitchRequest:
    """The last command for a port's relay: `on` wanted, sent at `sent_at`, and its fate."""

    port_id: str
    plug: str
    channel: int
    on: bool
    sent_at: float
    state: CutState = "pending"
    attempts: int = 1

    @property
    def label(self) -> str:
        """What the window shows for the port's relay."""
        verb = "On" if self.on else "Off"
        if self.state == "confirmed":
            return f"{verb} (confirmed)"
        if self.state == "pending":
            return f"{'switching on' if self.on else 'cutting'}…"
        return "switch-on not confirmed" if self.on else "cut not confirmed"


class SwitchTracker:
    """One request per port; a relay report that matches it confirms it. Thread-safe."""

    def __init__(self, timeout_s: float = CONFIRM_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._requests: dict[str, SwitchRequest] = {}

    def request(self, port_id: str, plug: str, channel: int, on: bool, now: float) -> None:
        with self._lock:
            previous = self._requests.get(port_id)
            again = previous is not None and previous.on == on and previous.state != "confirmed"
            attempts = previous.attempts + 1 if again and previous else 1
            request = SwitchRequest(port_id, plug, channel, on, now, attempts=attempts)
            self._requests[port_id] = request

    def relay(self, plug: str, channel: int, on: bool) -> list[SwitchRequest]:
        """The plug reported its relay: confirm the matching requests; returns them."""
        confirmed = []
        with self._lock:
            for port_id, req in self._requests.items():
                matches = req.plug == plug and req.channel == channel and req.on == on
                if matches and req.state != "confirmed":
                    self._requests[port_id] = replace(req, state="confirmed")
                    confirmed.append(self._requests[port_id])
        return confirmed

    def expire(self, now: float) -> list[SwitchRequest]:
        """Requests left unconfirmed for `timeout_s`: now 'not confirmed'; returns them."""
        expired = []
        with self._lock:
            for port_id, req in self._requests.items():
                if req.state == "pending" and now - req.sent_at >= self.timeout_s:
                    self._requests[port_id] = replace(req, state="not_confirmed")
                    expired.append(self._requests[port_id])
        return expired

    def get(self, port_id: str) -> SwitchRequest | None:
        with self._lock:
            return self._requests.get(port_id)

    def snapshot(self) -> dict[str, SwitchRequest]:
        with self._lock:
            return dict(self._requests)
