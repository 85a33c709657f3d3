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
import time
from collections.abc import Callable
from dataclasses import dataclass

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.ingest.admission import key_of
from phantom_desktop.ingest.batch import answer, fail
from phantom_desktop.ingest.messages import (
    CREATED,
    Outcome,
    StoredReading,
    Submission,
)
from phantom_desktop.ingest.spool import Spool, SpoolEntry

log = logging.getLogger(__name__)

SPOOLED_MESSAGE = (
    "Sensor reading accepted: the database is unreachable, the reading is kept on this "
    "computer and stored when it is back"
)
OUTAGE_AFTER_S = 2.0  # retrying this long without success: the database is unreachable
PROBE_INTERVAL_S = 1.0  # during an outage, the database is tried again this often
REPLAY_CHUNK = 500  # spooled entries per replay transaction


@dataclass(frozen=True, slots=True)
class _KnownPort:
    user_id: str
    status: PortStatus


class Vouched:
    """Credentials and ports seen in committed batches (bounded by the number of devices)."""

    def __init__(self) -> None:
        self._users: dict[str, str] = {}  # credential key -> user id
        self._ports: dict[str, _KnownPort] = {}

    def remember(self, key: str, user_id: str, port_id: str, status: PortStatus) -> None:
        """A committed reading of this credential for this port (cheap when nothing changed:
        it runs for every reading)."""
        if self._users.get(key) != user_id:
            self._users[key] = user_id
        known = self._ports.get(port_id)
        if known is None or known.status != status or known.user_id != user_id:
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


Handle = Callable[[list[object], bool], bool]  # the writer's transaction: (items, replaying)


class Outage:
    """The spool as the writer uses it: keep items during an outage, replay them after."""

    def __init__(self, spool: Spool | None) -> None:
        self.spool = spool
        self.vouched = Vouched()
        self._since: float | None = None  # when the database became unreachable
        self._last_try = 0.0

    @property
    def state(self) -> tuple[bool, int]:
        """(the database is unreachable, readings waiting in the spool)."""
        waiting = self.spool.pending_readings if self.spool is not None else 0
        return self._since is not None, waiting

    @property
    def waiting(self) -> bool:
        """Spooled readings wait: they go before anything newer."""
        return self.spool is not None and bool(self.spool)

    def gives_up(self, started: float) -> bool:
        """Whether transient errors since `started` mean "spool it" (only with a spool)."""
        return self.spool is not None and time.monotonic() - started >= OUTAGE_AFTER_S

    def keep(self, items: list[object]) -> None:
        """Spool what can be vouched for (acknowledged once on disk); 503 the rest."""
        assert self.spool is not None
        kept = [i for i in items if isinstance(i, Submission) and self.vouched.spoolable(i)]
        rest = [i for i in items if not any(i is k for k in kept)]
        try:
            self.spool.append([to_entry(submission) for submission in kept])
        except OSError as exc:
            log.error("the spool cannot take readings: %s", exc)
            fail(items, exc)
            return
        if self._since is None:
            self._since = self._last_try = time.monotonic()
            log.warning("the database is unreachable: readings are kept in %s", self.spool.path)
        answer((submission, self.vouched.accepted(submission)) for submission in kept)
        fail(rest, ConnectionError("the database is unreachable"))

    def replay(self, handle: Handle) -> bool:
        """Store spooled entries oldest first; False while the database is still unreachable."""
        assert self.spool is not None
        if self._since is not None:
            if time.monotonic() - self._last_try < PROBE_INTERVAL_S:
                return False
            self._last_try = time.monotonic()
        sink = ReplaySink()
        while self.spool:
            chunk = self.spool.entries(limit=REPLAY_CHUNK)
            if not handle([from_entry(entry, sink) for _, entry in chunk], True):
                return False
            self.spool.release(chunk[-1][0])
        if self._since is not None:
            log.warning(
                "the database is reachable again after %.0f s: %d spooled readings stored",
                time.monotonic() - self._since,
                sink.stored,
            )
            self._since = None
        return True

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()
