"""Loads what the History plot shows, on the window's database worker, newest request only.

Each request gets a generation number; a request that a newer one has overtaken stops between
ports (`Cancelled`) and its result, if any, is dropped. Progress (ports done) arrives as a
queued signal, so a long load can show a bar while the worker reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from phantom_desktop.core.lanes import lanes_for
from phantom_desktop.store.history_queries import (
    Cancelled,
    Resolution,
    choose_resolution,
    fetch_series,
    phantom_events,
)
from phantom_desktop.ui.history.history_plot import Lane, PlotSeries

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from phantom_desktop.ui.tasks import DbWorker


@dataclass(frozen=True, slots=True)
class Loaded:
    start: float
    end: float
    resolution: Resolution
    series: dict[str, PlotSeries]
    lanes: dict[str, Lane]

    @property
    def points(self) -> int:
        return sum(s.t.size for s in self.series.values())


class HistoryLoader(QObject):
    """Submits loads to the worker; `loaded` carries the newest one's result."""

    loaded = Signal(object)  # Loaded
    progress = Signal(int, int)  # ports done, ports
    failed = Signal(str)

    def __init__(self, worker: DbWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._generation = 0
        self._pending = 0

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def load(
        self, port_ids: Sequence[str], start: float, end: float, resolution: Resolution
    ) -> None:
        self._generation += 1
        generation = self._generation
        ids = list(port_ids)
        resolution = Resolution(resolution)  # a combo box hands back the plain string
        chosen = resolution if resolution is not Resolution.AUTO else choose_resolution(end - start)

        def stale() -> bool:
            return generation != self._generation

        def task(session: Session) -> Loaded | None:
            if stale():
                return None
            a = datetime.fromtimestamp(start, UTC)
            b = datetime.fromtimestamp(end, UTC)
            conn = session.connection()
            try:
                series = fetch_series(
                    conn, ids, a, b, chosen, cancelled=stale,
                    on_port=lambda done: self.progress.emit(done, len(ids)),
                )  # fmt: skip
            except Cancelled:
                return None
            events = phantom_events(conn, ids, a, b)
            now = datetime.now(UTC).timestamp()
            shown = {}
            lanes = {}
            for port_id, s in series.items():
                shown[port_id] = PlotSeries(s.t, s.mean, s.min, s.max, s.banded)
                lanes[port_id] = Lane(*lanes_for(events[port_id], s.t, s.max, min(now, end)))
            return Loaded(start, end, chosen, shown, lanes)

        def done(result: Loaded | None) -> None:
            self._pending -= 1
            if result is not None and not stale():
                self.loaded.emit(result)

        def error(message: str) -> None:
            self._pending -= 1
            self.failed.emit(message)

        self._pending += 1
        self._worker.submit("Loading the history", task, done, error)
