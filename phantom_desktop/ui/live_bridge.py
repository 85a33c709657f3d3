"""Moves committed batches from the writer's live feed to the GUI thread a few times a second."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from phantom_desktop.ingest.live_feed import LiveFeed

DRAIN_INTERVAL_MS = 200


class LiveBridge(QObject):
    """Polls `LiveFeed.drain()` on a GUI timer: one signal per non-empty batch, not per reading."""

    batch_committed = Signal(object)  # CommittedBatch

    def __init__(
        self, feed: LiveFeed, interval_ms: int = DRAIN_INTERVAL_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._feed = feed
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.drain)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def drain(self) -> None:
        """Emit what was committed since the last drain, if anything."""
        batch = self._feed.drain()
        if batch:
            self.batch_committed.emit(batch)
