"""A serial source: one thread that keeps a port open, reads a meter and feeds the writer.

The thread opens the port (found again by USB identity when configured), runs the protocol
session until the port is lost, then retries with exponential backoff. Readings go to the
writer as `Submission(source="serial")`; outcomes come back to `deliver` on the writer thread.
Nothing here blocks the caller: `start` spawns, `status` copies counters, `stop` returns within
a read timeout or one Modbus transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import CREATED, CommittedBatch, Outcome, Submission
from phantom_desktop.ingest.retry import RetryQueue, is_transient
from phantom_desktop.ingest.serial.config import LINE_PROTOCOLS, SerialSourceConfig
from phantom_desktop.ingest.serial.discovery import (
    PORT_ERRORS,
    device_absent,
    open_port,
    resolve_port,
)
from phantom_desktop.ingest.serial.jsonl import status_line
from phantom_desktop.ingest.serial.line_session import LineSession
from phantom_desktop.ingest.serial.modbus_session import ModbusSession
from phantom_desktop.ingest.serial.session import SerialPort, SessionContext
from phantom_desktop.ingest.serial.status import LogThrottle, SourceStats, SourceStatus, State
from phantom_desktop.ingest.writer import Writer

# pyserial raises ValueError for a malformed URL or setting.
_OPEN_ERRORS: tuple[type[BaseException], ...] = (*PORT_ERRORS, ValueError)

log = logging.getLogger(__name__)

BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 10.0
STABLE_AFTER_S = 5.0  # a connection that lasted this long resets the backoff
MAX_OUTBOX = 1000


class SerialSource:
    """Reads one serial port for one device. `start()`, `stop()`, `status`; thread-safe."""

    def __init__(
        self,
        config: SerialSourceConfig,
        writer: Writer,
        *,
        served_ports: frozenset[str] | set[str] = frozenset(),
        backoff_min_s: float = BACKOFF_MIN_S,
        backoff_max_s: float = BACKOFF_MAX_S,
    ) -> None:
        """`served_ports`: more ports whose on/off changes a line-protocol source writes back
        (e.g. all ports of its device); ports seen in its acknowledged readings are added."""
        self.config = config
        self._writer = writer
        self._backoff = (backoff_min_s, backoff_max_s)
        self._stats = SourceStats(config.name, config.protocol, config.port)
        self._throttle = LogThrottle(log)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._outbox: deque[bytes] = deque(maxlen=MAX_OUTBOX)
        self._retry = RetryQueue()
        self._served = set(config.port_ids) | set(served_ports)  # used on the writer thread
        self._ctx = SessionContext(config, self._stats, self._throttle, self._submit, self._stop)
        if self.writes_back:
            writer.add_listener(self._on_batch)

    def __repr__(self) -> str:
        return f"SerialSource({self.config.name!r}, {self.config.protocol}, {self.config.port!r})"

    # -- what the window needs ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.config.name

    @property
    def status(self) -> SourceStatus:
        return self._stats.snapshot()

    @property
    def writes_back(self) -> bool:
        """Line-protocol sources write `{"portId", "status"}` lines for a relay board."""
        return self.config.protocol in LINE_PROTOCOLS

    @property
    def cannot_cut_ports(self) -> frozenset[str]:
        """Ports this source measures but cannot switch (Modbus meters have no relay)."""
        return frozenset() if self.writes_back else self.config.port_ids

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._stats.set_state("connecting")
        self._thread = threading.Thread(
            target=self._run, name=f"serial-source-{self.config.name}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop reading and close the port; returns once the thread has ended."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("%s: the serial thread did not stop within %.0f s", self.name, timeout)
            self._thread = None
        self._stats.set_state("stopped")
        self._writer.remove_listener(self._on_batch)

    # -- the thread -----------------------------------------------------------------------------
    def _run(self) -> None:
        delay, ever_connected = self._backoff[0], False
        while not self._stop.is_set():
            path = resolve_port(self.config)
            if path is None:
                state: State = "reconnecting" if ever_connected else "connecting"
                self._stats.set_state(state, f"USB adapter {self.config.usb} is not plugged in")
            else:
                try:
                    port = open_port(path, self.config.baudrate)
                except _OPEN_ERRORS as exc:
                    self._open_failed(path, exc, ever_connected)
                else:
                    ever_connected = True
                    connected_at = time.monotonic()
                    self._serve(port, path)
                    if time.monotonic() - connected_at >= STABLE_AFTER_S:
                        delay = self._backoff[0]
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, self._backoff[1])

    def _open_failed(self, path: str, exc: BaseException, ever_connected: bool) -> None:
        state: State
        if device_absent(exc):
            state = "reconnecting" if ever_connected else "connecting"
        else:
            state = "error"  # permissions, port in use, bad URL: retried, but needs the user
        self._stats.set_state(state, f"cannot open {path}: {exc}")
        self._throttle.warning("open", "%s: cannot open %s: %s", self.name, path, exc)

    def _serve(self, port: SerialPort, path: str) -> None:
        self._stats.set_state("connected", port=path)
        log.info("%s: connected to %s (%s)", self.name, path, self.config.protocol)
        if self.config.is_modbus:
            session: ModbusSession | LineSession = ModbusSession(self._ctx)
        else:
            session = LineSession(self._ctx, self._outbox)
        try:
            with port:
                session.run(port)
        except PORT_ERRORS as exc:
            if self._stop.is_set():
                return
            self._stats.count("reconnects")
            self._stats.set_state("reconnecting", f"connection lost: {exc}")
            log.warning("%s: lost %s (%s); reconnecting", self.name, path, exc)
        except Exception as exc:
            log.exception("%s: the %s session failed", self.name, self.config.protocol)
            self._stats.set_state("error", f"internal error: {exc}")

    # -- to and from the writer -----------------------------------------------------------------
    def _submit(self, readings: list[ReadingValues]) -> None:
        """Send readings (on the source's thread), after any refused earlier that are due."""
        for number, waiting in self._retry.take_due():
            self._send(number, waiting)
        if not self._retry.hold(readings):  # older readings wait: these queue behind them
            self._send(self._retry.number(), readings)

    def _send(self, number: int, readings: list[ReadingValues]) -> None:
        submission = Submission(
            readings=readings,
            sink=self,
            tag=(number, readings),
            device_id=self.config.device_id,
            source="serial",
        )
        if not self._writer.submit(submission):
            self._refused_for_now(number, readings, "the writer is stopped or overloaded")

    def _refused_for_now(self, number: int, readings: list[ReadingValues], why: str) -> None:
        dropped = self._retry.dropped
        self._retry.refused(number, readings)
        if self._retry.dropped != dropped:
            self._stats.count("dropped", self._retry.dropped - dropped)
        self._throttle.warning(
            "retrying", "%s: readings refused for now (%s); retrying", self.name, why
        )

    def deliver(self, results: list[tuple[object, Outcome]]) -> None:
        """ReplySink: count what was committed, keep what was refused for now (writer thread)."""
        for tag, outcome in results:
            number, readings = tag if isinstance(tag, tuple) else (0, [])
            if outcome.status == CREATED:
                self._retry.succeeded()
                self._stats.acknowledged(len(outcome.readings))
                self._served.update(reading.port_id for reading in outcome.readings)
            elif is_transient(outcome.status) and readings:
                self._refused_for_now(number, readings, outcome.message)
            else:
                self._stats.count("rejected", len(readings) or 1)
                self._throttle.warning(
                    f"rejected-{outcome.status}",
                    "%s: readings refused (%d): %s",
                    self.name,
                    outcome.status,
                    outcome.message,
                )

    def _on_batch(self, batch: CommittedBatch) -> None:
        """Writer listener: queue a status line for each change of a port this source serves;
        the source's own thread writes it."""
        if self._thread is None:
            return
        for change in batch.status_changes:
            if change.port_id in self._served:
                self._outbox.append(status_line(change.port_id, change.status))
