"""Counts of what happened to the readings of each simulated port."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PortStats:
    """One port. `sent` counts readings the app answered: `accepted` (201) plus `failed`."""

    label: str
    sent: int = 0
    accepted: int = 0
    failed: int = 0
    retries: int = 0  # attempts repeated because the app was unreachable or busy
    phantoms: int = 0  # phantom events the app reported
    stop_reason: str | None = None  # why the port gave up (401/403/404), None if it did not


@dataclass
class Summary:
    """All ports of one run."""

    ports: list[PortStats] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(p.sent for p in self.ports)

    @property
    def accepted(self) -> int:
        return sum(p.accepted for p in self.ports)

    @property
    def failed(self) -> int:
        return sum(p.failed for p in self.ports)

    @property
    def retries(self) -> int:
        return sum(p.retries for p in self.ports)

    @property
    def all_stopped(self) -> bool:
        """Every port gave up on an error that retrying cannot fix."""
        return bool(self.ports) and all(p.stop_reason for p in self.ports)
