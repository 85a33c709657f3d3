"""The writer's side of the spool: what may be spooled during an outage, and replaying it.

While the database is unreachable the writer cannot check a token or a port. It accepts into the
spool only submissions it can vouch for from recent successful batches (`Vouched`): the same
credential writing to ports of the same owner. Anything else is refused with 503 as before.

On replay, each spooled entry becomes a submission again and goes through the normal path
(authentication, ownership, detection), so detection runs as it would have live. A reading
already in the database (the writer crashed after committing a replay but before releasing
it from the spool) is skipped, so each spooled reading is stored exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.ingest.messages import (
    CREATED,
    UNAVAILABLE,
    Outcome,
    StoredReading,
    Submission,
)
from phantom_desktop.ingest.spool import SpoolEntry
from phantom_desktop.store.lookups import device_key

log = logging.getLogger(__name__)

SPOOLED_MESSAGE = (
    "Sensor reading accepted: the database is unreachable, the reading is kept on this "
    "computer and stored when it is back"
)
NOT_SPOOLED = Outcome(UNAVAILABLE, "Store unavailable: the reading was not stored, retry later")


@dataclass(frozen=True, slots=True)
class _KnownPort:
    user_id: str
    status: PortStatus


class Vouched:
    """Credentials and ports seen in committed batches (bounded by the number of devices)."""

    def __init__(self) -> None:
        self._users: dict[str, str] = {}  # credential key -> user id
        self._ports: dict[str, _KnownPort] = {}

    def remember(self, key: str, user_id: str, ports: dict[str, PortStatus]) -> None:
        self._users[key] = user_id
        for port_id, status in ports.items():
            self._ports[port_id] = _KnownPort(user_id, status)

    def forget_port(self, port_id: str) -> None:
        self._ports.pop(port_id, None)

    def spoolable(self, submission: Submission) -> bool:
        """Whether this submission's credential and every port were good a moment ago."""
        user_id = self._users.get(key_of(submission))
        if user_id is None:
            return False
        ports = [self._ports.get(values.port_id) for values in submission.readings]
        return all(port is not None and port.user_id == user_id for port in ports)

    def accepted(self, submission: Submission) -> Outcome:
        """The 201 of a spooled submission: no id yet, nothing detected yet."""
        stored = tuple(
            StoredReading(
                0,
                values.port_id,
                values.timestamp,
                values.voltage,
                values.current,
                values.power,
                False,
                self._ports[values.port_id].status,
            )
            for values in submission.readings
        )
        return Outcome(CREATED, SPOOLED_MESSAGE, stored)


def key_of(submission: Submission) -> str:
    """The credentials key of a submission (its token hash, or its serial device)."""
    return submission.token_hash or device_key(submission.device_id or "")


def to_entry(submission: Submission) -> SpoolEntry:
    return SpoolEntry(
        tuple(submission.readings),
        submission.source,
        submission.token_hash,
        submission.device_id,
    )


class ReplaySink:
    """Outcomes of replayed submissions: nobody waits for them; refusals are logged."""

    def __init__(self) -> None:
        self.stored = 0
        self.refused = 0

    def deliver(self, results: list[tuple[object, Outcome]]) -> None:
        for _tag, outcome in results:
            if outcome.status == CREATED:
                self.stored += len(outcome.readings)
            else:
                self.refused += 1
                log.warning("a spooled submission was refused on replay: %s", outcome.message)


def from_entry(entry: SpoolEntry, sink: ReplaySink) -> Submission:
    return Submission(
        list(entry.readings),
        sink,
        None,
        token_hash=entry.token_hash,
        device_id=entry.device_id,
        source=entry.source,
        replayed=True,
    )
