"""Phantom episodes on the writer thread: per-port detectors, open events, alerts and cuts.

The writer owns one `Episodes` and calls it inside each batch's transaction: `sync` before the
batch's readings (new ports resume their open event and learn their rhythm from the store),
`judge` per reading, `turned_off` when a port stops being judged, `save_progress` after the
readings (open events' energy so far, so a restart or a rollback resumes exactly). See
docs/ARCHITECTURE.md, "Detection".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from phantom_desktop.core.alert_text import phantom_alert_message
from phantom_desktop.core.detection import (
    EpisodeEnded,
    EpisodeProgress,
    PortDetector,
    Verdict,
    counted_on,
    recounted,
)
from phantom_desktop.core.enums import CutReason, PortStatus
from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.core.tariff import Tariff
from phantom_desktop.ingest.batch import Batch
from phantom_desktop.ingest.messages import PhantomAlert, PortNote, PortStatusChange
from phantom_desktop.ingest.rhythm_board import RhythmBoard
from phantom_desktop.store import ingest_queries as sql
from phantom_desktop.store.lookups import CachedPort
from phantom_desktop.store.port_rhythm import learning_readings

# An open event's progress is saved when it has moved this far since it was last saved: a
# statement per open event a minute rather than per batch. Resuming counts the readings stored
# since (`counted_on`), so it stays exact.
PROGRESS_EVERY_S = 60.0


class Episodes:
    """Detection state of every port the writer has seen (writer thread only)."""

    def __init__(self) -> None:
        self._detectors: dict[str, PortDetector] = {}
        self._open_events: dict[str, int] = {}
        self._saved: dict[str, EpisodeProgress] = {}  # open events' progress as last written
        self._rhythms = RhythmBoard()
        self.tariff: Tariff | None = None  # alerts say what the standby costs a year
        # Ports measured only by meters without a relay (Modbus): a cut is recorded, not done.
        self.ports_without_relay: frozenset[str] = frozenset()

    def forget(self, port_ids: set[str]) -> None:
        """A transaction touching these ports rolled back: rebuild them from the database."""
        for port_id in port_ids:
            self._detectors.pop(port_id, None)
            self._open_events.pop(port_id, None)
            self._saved.pop(port_id, None)
        self._rhythms.forget(port_ids)

    def sync(
        self, conn: Connection, ports: dict[str, CachedPort], now: datetime, batch: Batch
    ) -> None:
        """Create detectors for new ports (resuming open events) and follow external changes."""
        new = [port_id for port_id in ports if port_id not in self._detectors]
        if new:
            resumed = sql.open_events(conn, new)
            for port_id in new:
                rules = ports[port_id].rules
                open_event = resumed.get(port_id)
                if open_event is not None and ports[port_id].status == PortStatus.ACTIVE:
                    progress = _progress(conn, port_id, open_event)
                    self._detectors[port_id] = PortDetector.resume(rules, progress)
                    self._open_events[port_id] = open_event.id
                elif open_event is not None:  # turned off (command line) while we were stopped
                    last = sql.last_reading_at(conn, port_id) or open_event.detected_at
                    sql.close_event(conn, open_event.id, max(last, open_event.detected_at))
                    self._detectors[port_id] = PortDetector(rules)
                else:
                    self._detectors[port_id] = PortDetector(rules)
                past = learning_readings(conn, port_id, rules.threshold_w)
                self._detectors[port_id].rhythm.learn(past)
        for port_id, port in ports.items():
            batch.touched_ports.add(port_id)
            detector = self._detectors[port_id]
            if detector.rules is not port.rules and detector.rules != port.rules:
                detector.set_rules(port.rules)
            if port.status == PortStatus.OFF:  # cut elsewhere (another machine, the command line)
                self._end(conn, port_id, detector.port_turned_off(now))

    def save_progress(self, conn: Connection, batch: Batch) -> None:
        """Store how far the open events this batch moved are counted (one statement)."""
        moved = []
        for port_id in self._open_events.keys() & batch.touched_ports:  # walks the smaller
            progress = self._detectors[port_id].progress()
            saved = self._saved.get(port_id)
            if progress is not None and (
                saved is None
                or (progress.counted_until - saved.counted_until).total_seconds()
                >= PROGRESS_EVERY_S
            ):
                moved.append((self._open_events[port_id], progress))
                self._saved[port_id] = progress  # forgotten if the batch rolls back
        if moved:
            sql.save_progress(conn, moved)

    def publish_rhythms(self, conn: Connection, batch: Batch) -> None:
        """Store and announce what changed in the recognised rhythms of the batch's ports."""
        batch.live.rhythms.extend(self._rhythms.publish(conn, self._detectors, batch.touched_ports))

    def set_rules(self, port: CachedPort) -> None:
        self._detectors[port.id].set_rules(port.rules)

    def turned_off(self, conn: Connection, port_id: str, now: datetime) -> None:
        """The port stops being judged (off, or its plug away): its episode ends now."""
        self._end(conn, port_id, self._detectors[port_id].port_turned_off(now))

    def judge(
        self, conn: Connection, port: CachedPort, values: ReadingValues, batch: Batch
    ) -> Verdict:
        """Feed one reading to its port's detector; record events, alerts and cuts."""
        if port.status == PortStatus.OFF:
            return Verdict(phantom=False)
        verdict = self._detectors[port.id].feed(values.timestamp, values.power)
        if verdict.detected is not None:
            self._open_event(conn, port, verdict, batch)
        elif verdict.ended is not None:
            self._end(conn, port.id, verdict.ended)
        if verdict.held is not None:
            batch.live.notes.append(PortNote(port.id, values.timestamp, verdict.held))
        return verdict

    def _open_event(
        self, conn: Connection, port: CachedPort, verdict: Verdict, batch: Batch
    ) -> None:
        detected = verdict.detected
        assert detected is not None
        ended = verdict.ended
        event_id = sql.insert_event(conn, port.id, detected, ended)
        if ended is None:
            self._open_events[port.id] = event_id
        message = phantom_alert_message(
            port.name,
            detected.power_w,
            port.threshold_w,
            detected.cut,
            has_relay=port.id not in self.ports_without_relay,
            tariff=self.tariff,
            reason=detected.reason,
        )
        notification_id = sql.insert_notification(conn, port.user_id, port.id, event_id, message)
        batch.live.alerts.append(
            PhantomAlert(
                event_id,
                notification_id,
                port.user_id,
                port.id,
                port.name,
                detected.detected_at,
                detected.power_w,
                port.threshold_w,
                detected.cut,
                message,
            )
        )
        if detected.cut:
            sql.write_port_status(conn, port.id, PortStatus.OFF)
            port.status = PortStatus.OFF
            batch.live.status_changes.append(
                PortStatusChange(port.id, PortStatus.OFF, CutReason.AUTO_CUT)
            )

    def _end(self, conn: Connection, port_id: str, ended: EpisodeEnded | None) -> None:
        event_id = self._open_events.pop(port_id, None)
        self._saved.pop(port_id, None)
        if ended is None or event_id is None:
            return
        sql.end_event(conn, event_id, ended)


def _progress(conn: Connection, port_id: str, event: sql.OpenEvent) -> EpisodeProgress:
    """Where an open event's episode stands: as saved plus the readings stored since, else
    counted again from its readings (an earlier version's event), else from its detection."""
    if event.progress is not None:
        since = event.progress.counted_until
        return counted_on(event.progress, sql.readings_since(conn, port_id, since))
    readings = sql.readings_since(conn, port_id, event.started_at)
    return recounted(event.started_at, readings) or EpisodeProgress(
        event.started_at, event.detected_at, event.power_w, 0.0
    )
