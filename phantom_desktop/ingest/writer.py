"""The writer thread: authenticates, detects, stores and acknowledges readings in batches.

One thread owns the per-port detection state and handles submissions in arrival order. Each
batch is one transaction (group commit): the more that arrive while a commit runs, the larger
the next batch. Outcomes are delivered only after the commit, so an acknowledgement means the
reading is on disk.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from phantom_desktop.core.enums import CutReason, PortStatus
from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.admission import (
    CROWDED_OUT,
    already_stored,
    key_of,
    ports_to_read,
    skip_stored,
)
from phantom_desktop.ingest.batch import Batch
from phantom_desktop.ingest.commit_loop import commit
from phantom_desktop.ingest.episodes import Episodes
from phantom_desktop.ingest.messages import (
    FORBIDDEN,
    NOT_FOUND,
    TOO_MANY,
    UNAUTHORIZED,
    BatchListener,
    Outcome,
    PortCommand,
    PortStatusChange,
    Submission,
)
from phantom_desktop.ingest.spool import Spool
from phantom_desktop.ingest.spooling import PROBE_INTERVAL_S, Outage
from phantom_desktop.store import ingest_queries as sql
from phantom_desktop.store.lookups import CachedPort, Credential, Lookups
from phantom_desktop.store.rollups import RollupKeeper

log = logging.getLogger(__name__)

MAX_BATCH = 2000
# Backpressure counts readings (a submission holds 1 to 1,000): beyond this many waiting, new
# submissions are refused with 429 until the writer catches up.
MAX_QUEUED_READINGS = 100_000
TOKEN_TOUCH_INTERVAL_S = 60.0
_STOP = object()


class Writer:
    """Owns the database writes of ingestion. Start it, submit to it, stop it."""

    def __init__(
        self, engine: Engine, max_batch: int = MAX_BATCH, spool: Spool | None = None
    ) -> None:
        """`spool`: where readings wait while the database is unreachable (None: 503)."""
        self._engine = engine
        self._outage = Outage(spool)
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._queued = 0
        self._queued_readings = 0
        self._queued_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._accepting = False
        self.episodes = Episodes()
        self._token_touched: dict[int, float] = {}
        self._lookups = Lookups()
        self._rollups = RollupKeeper()
        self._conn: Connection | None = None
        self._listeners: list[BatchListener] = []
        self.committed_readings = 0

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self._accepting = True
        self._thread = threading.Thread(target=self._run, name="phantom-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Refuse new work, finish and commit everything already queued, then end the thread."""
        if self._thread is None:
            return
        self._accepting = False
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("writer did not stop within %.0f s", timeout)
        else:
            self._outage.close()
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def add_listener(self, listener: BatchListener) -> None:
        """Call `listener` (on the writer thread) with each committed batch (thread-safe: the
        list is replaced, never changed, so the writer's loop over it is not disturbed)."""
        with self._queued_lock:
            self._listeners = [*self._listeners, listener]

    def remove_listener(self, listener: BatchListener) -> None:
        """Stop calling `listener`; unknown listeners are ignored (thread-safe)."""
        with self._queued_lock:
            self._listeners = [known for known in self._listeners if known != listener]

    def invalidate_lookups(self) -> None:
        """Tokens, devices or ports changed in the database: re-read them before the next batch."""
        self._lookups.invalidate()

    def watch_sessions(self, sessions: sessionmaker[Session]) -> None:
        """Make every commit of these sessions (the window's, this process's management actions)
        take effect at once: a revoked token is refused from the next batch on."""
        event.listen(sessions, "after_commit", lambda _session: self._lookups.invalidate())

    # -- submitting --------------------------------------------------------------------------
    def submit(self, submission: Submission) -> bool:
        """Queue readings; False when the writer is stopped or overloaded (nothing queued)."""
        with self._queued_lock:
            if not self._accepting or self._queued_readings >= MAX_QUEUED_READINGS:
                return False
            self._queued += 1
            self._queued_readings += len(submission.readings)
        self._queue.put(submission)
        return True

    def command(
        self, command: PortCommand, on_done: Callable[[Future[PortStatus]], None] | None = None
    ) -> PortCommand:
        """Queue a port change; `command.done` resolves with the port's status once committed.

        `on_done(command.done)` is called then, on the writer thread (at once, on the caller's,
        when the writer is stopped): it must not block; hand the result on (a queued signal).
        """
        if on_done is not None:
            command.done.add_done_callback(on_done)
        if not self._accepting:
            command.done.set_exception(RuntimeError("ingestion is stopped"))
            return command
        with self._queued_lock:
            self._queued += 1
        self._queue.put(command)
        return command

    @property
    def queued(self) -> int:
        """Submissions and commands waiting."""
        return self._queued

    @property
    def outage(self) -> tuple[bool, int]:
        """(the database is unreachable, readings waiting in the spool), for the window."""
        return self._outage.state

    @property
    def queued_readings(self) -> int:
        """Readings waiting (what backpressure counts)."""
        return self._queued_readings

    # -- the thread --------------------------------------------------------------------------
    def _run(self) -> None:
        stopping = False
        while not stopping:
            try:  # with readings in the spool, replay them even when nothing new arrives
                wait = PROBE_INTERVAL_S if self._outage.waiting else None
                items: list[object] = [self._queue.get(timeout=wait)]
            except queue.Empty:
                self._outage.replay(self._handle)
                continue
            while len(items) < self._max_batch:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in items:
                stopping = True
                items = [item for item in items if item is not _STOP]
            if items:
                readings = sum(len(i.readings) for i in items if isinstance(i, Submission))
                with self._queued_lock:
                    self._queued -= len(items)
                    self._queued_readings -= readings
                if self._outage.waiting and not self._outage.replay(self._handle):
                    self._outage.keep(items)  # behind the spooled ones, in arrival order
                else:
                    self._handle(items)
        self._close_connection()

    def _connection(self) -> Connection:
        """The writer's own connection, kept open across batches (and PRAGMA data_version)."""
        if self._conn is None:
            self._conn = self._engine.connect()
        return self._conn

    def _close_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                log.exception("closing the writer's connection failed")
            self._conn = None

    def _handle(self, items: list[object], replaying: bool = False) -> bool:
        """Commit the items (`commit_loop`: retries, isolation, spooling); False: unreachable."""
        return commit(items, self._attempt, self._deliver, self._outage, replaying)

    def _attempt(self, items: list[object], one_by_one: bool) -> Batch:
        """One transaction over the items; on failure, forget its effects and raise."""
        batch = Batch()
        try:
            conn = self._connection()
            with conn.begin():
                self._process(conn, items, batch, one_by_one)
        except Exception:
            self._rolled_back(batch)
            raise
        return batch

    def _rolled_back(self, batch: Batch) -> None:
        """Forget what the rolled-back transaction changed in memory."""
        self._close_connection()  # a broken connection is replaced on the next try
        self._lookups.invalidate()  # cached port rows may hold this batch's rolled-back cuts
        self._rollups.forget()  # its latest readings were rolled back too
        self.episodes.forget(batch.touched_ports)  # rebuilt from the database on next use

    def _deliver(self, batch: Batch) -> None:
        self.committed_readings += len(batch.live.readings)
        batch.deliver()
        if batch.live:
            for listener in self._listeners:
                try:
                    listener(batch.live)
                except Exception:
                    log.exception("a batch listener failed")

    # -- one transaction ---------------------------------------------------------------------
    def _process(
        self, conn: Connection, items: list[object], batch: Batch, one_by_one: bool = False
    ) -> None:
        now = datetime.now(UTC)
        submissions = [item for item in items if isinstance(item, Submission)]
        self._lookups.refresh(conn)
        credentials = self._lookups.credentials(
            conn,
            {s.token_hash for s in submissions if s.token_hash},
            {s.device_id for s in submissions if s.device_id and not s.token_hash},
        )
        port_ids, crowded_out = ports_to_read(submissions, credentials, self._lookups.has_port)
        port_ids.update(item.port_id for item in items if isinstance(item, PortCommand))
        ports = self._lookups.ports(conn, port_ids)
        self.episodes.sync(conn, {p: ports[p] for p in port_ids if p in ports}, now, batch)

        skip_stored(conn, [s for s in submissions if s.replayed or s.dedupe])
        for item in items:
            if isinstance(item, PortCommand):
                self._apply_command(conn, item, ports, now, batch)
            elif id(item) in crowded_out:
                assert isinstance(item, Submission)
                batch.errors.append((item, Outcome(TOO_MANY, CROWDED_OUT)))
            else:
                assert isinstance(item, Submission)
                self._accept(conn, item, credentials, ports, batch)

        if batch.rows:
            ids = sql.insert_readings(conn, batch.rows, one_by_one=one_by_one)
            batch.collect_stored(ids)
            self._rollups.apply(conn, batch.rows, {p: row.threshold_w for p, row in ports.items()})
        used = {credentials[s.token_hash] for s in submissions if s.token_hash in credentials}
        self._touch_tokens(conn, used, now)
        self.episodes.save_progress(conn, batch)
        self.episodes.publish_rhythms(conn, batch)

    def _accept(
        self,
        conn: Connection,
        submission: Submission,
        credentials: dict[str, Credential],
        ports: dict[str, CachedPort],
        batch: Batch,
    ) -> None:
        key = key_of(submission)
        credential = credentials.get(key)
        if credential is None:
            message = (
                "Invalid or revoked device token"
                if submission.token_hash
                else "Unknown device for this source"
            )
            batch.errors.append((submission, Outcome(UNAUTHORIZED, message)))
            return
        everything = submission.readings
        if submission.already:
            everything = [*everything, *(v for v, _ in submission.already)]
        error = self._port_error(everything, credential, ports)
        if error is not None:
            batch.errors.append((submission, error))
            return
        if submission.already and not submission.readings:  # a retry: stored before
            batch.errors.append((submission, already_stored(submission, ports)))
            return
        vouch = self._outage.vouched.remember
        entries = []
        for values in submission.readings:
            port = ports[values.port_id]
            vouch(key, credential.user_id, port.id, port.status)
            verdict = self.episodes.judge(conn, port, values, batch)
            entries.append((values, verdict.phantom, port.status))
            batch.rows.append(
                {
                    "port_id": values.port_id,
                    "timestamp": values.timestamp,
                    "voltage": values.voltage,
                    "current": values.current,
                    "power": values.power,
                    "source": submission.source,
                }
            )
        batch.pending.append((submission, entries))

    @staticmethod
    def _port_error(
        readings: list[ReadingValues], credential: Credential, ports: dict[str, CachedPort]
    ) -> Outcome | None:
        many = len(readings) > 1
        for index, values in enumerate(readings):
            where = f"readings[{index}]: " if many else ""
            port = ports.get(values.port_id)
            if port is None:
                return Outcome(NOT_FOUND, f"{where}Port {values.port_id} not found")
            if port.user_id != credential.user_id:
                return Outcome(FORBIDDEN, f"{where}Port {values.port_id} belongs to another user")
        return None

    def _apply_command(
        self,
        conn: Connection,
        command: PortCommand,
        ports: dict[str, CachedPort],
        now: datetime,
        batch: Batch,
    ) -> None:
        port = ports.get(command.port_id)
        if command.rules_changed:
            port = self._lookups.reload_port(conn, command.port_id)
        if port is None:
            command.done.set_exception(LookupError(f"port {command.port_id} not found"))
            return
        if command.rules_changed:
            self.episodes.set_rules(port)
        if command.absent:  # not judged while away: the gap is not standby
            self.episodes.turned_off(conn, port.id, now)
        if command.status is not None and command.status != port.status:
            sql.write_port_status(conn, port.id, command.status)
            port.status = command.status
            self.episodes.turned_off(conn, port.id, now)
            batch.live.status_changes.append(
                PortStatusChange(port.id, command.status, CutReason.MANUAL)
            )
        batch.commands.append((command, port.status))

    def _touch_tokens(
        self, conn: Connection, credentials: Iterable[Credential], now: datetime
    ) -> None:
        """Record token use, at most once a minute per token to spare the database."""
        clock = time.monotonic()
        due = [
            c.token_id
            for c in credentials
            if c.token_id is not None
            and clock - self._token_touched.get(c.token_id, -TOKEN_TOUCH_INTERVAL_S)
            >= TOKEN_TOUCH_INTERVAL_S
        ]
        if due:
            sql.touch_tokens(conn, due, now)
            for token_id in due:
                self._token_touched[token_id] = clock
