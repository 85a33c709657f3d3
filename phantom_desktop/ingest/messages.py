"""What sources hand to the writer, what the writer answers, and what it publishes live."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from phantom_desktop.core.enums import CutReason, PortStatus
from phantom_desktop.core.readings import ReadingValues

# Outcome statuses follow the HTTP contract so every source shares one vocabulary.
CREATED = 201
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404
TOO_MANY = 429
UNAVAILABLE = 503


class ReplySink(Protocol):
    """Receives the outcomes of one committed batch, on the writer thread; must not block."""

    def deliver(self, results: list[tuple[object, Outcome]]) -> None: ...


@dataclass(slots=True)
class Submission:
    """Readings from one device, stored together or not at all.

    HTTP sources authenticate with `token_hash`; a serial source is configured for a device
    and passes `device_id` instead. `tag` comes back with the outcome (e.g. an asyncio future).
    """

    readings: list[ReadingValues]
    sink: ReplySink
    tag: object = None
    token_hash: str | None = None
    device_id: str | None = None
    source: str = "http"
    replayed: bool = False  # from the spool: its readings may already be stored
    # Sent with an Idempotency-Key this process has not seen: maybe a retry of a request that an
    # earlier run committed before it was killed. Readings already stored are set aside in
    # `already` (with their ids) instead of being stored twice.
    dedupe: bool = False
    already: list[tuple[ReadingValues, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoredReading:
    """A committed reading and what it meant for its port."""

    id: int
    port_id: str
    timestamp: datetime
    voltage: float
    current: float
    power: float
    phantom: bool
    port_status: PortStatus


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to one submission: 201 with the stored readings, or an error status."""

    status: int
    message: str
    readings: tuple[StoredReading, ...] = ()


@dataclass(slots=True)
class PortCommand:
    """A change to a port from the window or the command line, applied by the writer in order.

    `status` turns the port on or off; `rules_changed` makes the writer reload the port's
    threshold, minimum duration and auto-cut (already written by the caller); `absent` says
    the port's meter went away (a plug's last will): its standby episode ends, and detection
    starts afresh from its next reading. Resolves `done` with the port's status afterwards, or
    with an exception.
    """

    port_id: str
    status: PortStatus | None = None
    rules_changed: bool = False
    absent: bool = False
    done: Future[PortStatus] = field(default_factory=Future)


@dataclass(frozen=True, slots=True)
class PhantomAlert:
    """A phantom event that the writer just recorded and notified."""

    event_id: int
    notification_id: int
    user_id: str
    port_id: str
    port_name: str
    detected_at: datetime
    power_w: float
    threshold_w: float
    cut: bool
    message: str


@dataclass(frozen=True, slots=True)
class PortStatusChange:
    port_id: str
    status: PortStatus
    reason: CutReason


@dataclass(frozen=True, slots=True)
class PortRhythm:
    """What was recognised on a port ("cycling, ~40 min rhythm"; None: nothing) and since when."""

    port_id: str
    seen: str | None
    since: datetime | None


@dataclass(frozen=True, slots=True)
class PortNote:
    """Why a low phase on the port is not standby (yet), as of the reading at `at`."""

    port_id: str
    at: datetime
    text: str


@dataclass(slots=True)
class CommittedBatch:
    """Everything one transaction committed, for live views (plots, alerts, tables)."""

    readings: list[StoredReading] = field(default_factory=list)
    alerts: list[PhantomAlert] = field(default_factory=list)
    status_changes: list[PortStatusChange] = field(default_factory=list)
    rhythms: list[PortRhythm] = field(default_factory=list)
    notes: list[PortNote] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.readings or self.alerts or self.status_changes or self.rhythms or self.notes
        )

    def extend(self, other: CommittedBatch) -> None:
        self.readings.extend(other.readings)
        self.alerts.extend(other.alerts)
        self.status_changes.extend(other.status_changes)
        self.rhythms.extend(other.rhythms)
        self.notes.extend(other.notes)


BatchListener = Callable[[CommittedBatch], None]
