"""Keeps the ports table's recognised rhythm in step with the writer's detectors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Connection

from phantom_desktop.core.detection import PortDetector
from phantom_desktop.core.rhythm import Pattern, Rhythm
from phantom_desktop.ingest.messages import PortRhythm
from phantom_desktop.store.port_rhythm import save_rhythm


class RhythmBoard:
    """Writes a port's recognised rhythm when it changes; cheap when it does not."""

    def __init__(self) -> None:
        self._judged: dict[str, Rhythm] = {}
        self._shown: dict[str, tuple[str | None, datetime | None]] = {}

    def publish(
        self, conn: Connection, detectors: Mapping[str, PortDetector], port_ids: Iterable[str]
    ) -> list[PortRhythm]:
        """Save the rhythms that changed among `port_ids`; returns the changes."""
        changes = []
        for port_id in port_ids:
            detector = detectors.get(port_id)
            if detector is None:
                continue
            rhythm = detector.rhythm.rhythm
            if self._judged.get(port_id) is rhythm:
                continue
            self._judged[port_id] = rhythm
            seen = None if rhythm.pattern is Pattern.NONE else rhythm.describe()
            shown = (seen, rhythm.since)
            if self._shown.get(port_id) != shown:
                save_rhythm(conn, port_id, seen, rhythm.since)
                self._shown[port_id] = shown
                changes.append(PortRhythm(port_id, seen, rhythm.since))
        return changes

    def forget(self, port_ids: Iterable[str]) -> None:
        """The batch that saved these was rolled back: save them again next time."""
        for port_id in port_ids:
            self._judged.pop(port_id, None)
            self._shown.pop(port_id, None)
