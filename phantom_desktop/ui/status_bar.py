"""The status bar: where ingestion listens, which database is in use, readings per second."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QStatusBar, QWidget

RATE_WINDOW_S = 5.0


class RateMeter:
    """Counts events over the last `window_s` seconds."""

    def __init__(self, window_s: float = RATE_WINDOW_S) -> None:
        self._window_s = window_s
        self._counts: deque[tuple[float, int]] = deque()
        self._started = time.monotonic()

    def add(self, count: int, now: float | None = None) -> None:
        if count:
            self._counts.append((time.monotonic() if now is None else now, count))

    def rate(self, now: float | None = None) -> float:
        """Events per second over the window (or since start, when that is shorter)."""
        now = time.monotonic() if now is None else now
        while self._counts and self._counts[0][0] <= now - self._window_s:
            self._counts.popleft()
        span = min(self._window_s, max(now - self._started, 1.0))
        return sum(count for _, count in self._counts) / span


class ElidedLabel(QLabel):
    """A one-line label that shortens long text (a database path) in the middle, not the window."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setToolTip(text)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), 160), hint.height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideMiddle, rect.width()
        )
        painter.drawText(rect, int(self.alignment()), text)


ALL_INTERFACES = ("0.0.0.0", "[::]")


def listen_text(listen_url: str | None) -> str:
    if not listen_url:
        return "Ingestion off"
    if any(f"//{host}:" in listen_url for host in ALL_INTERFACES):
        return f"⚠ Listening on {listen_url}: open to every device on your network"
    return f"Listening on {listen_url}"


def outage_text(unreachable: bool, waiting: int) -> str | None:
    """What the status bar says while readings wait for the database; None when none do."""
    if unreachable:
        return f"⚠ Database unreachable — {waiting:,} readings waiting"
    if waiting:
        return f"Storing {waiting:,} readings that waited for the database…"
    return None


class StatusBar(QStatusBar):
    """Permanent facts on the right; `showMessage` still works for passing news on the left."""

    def __init__(
        self,
        listen_url: str | None,
        db_description: str,
        parent: QWidget | None = None,
        outage: Callable[[], tuple[bool, int]] | None = None,
    ) -> None:
        """`outage()`: (database unreachable, readings waiting), polled once a second."""
        super().__init__(parent)
        self.listen_label = QLabel(listen_text(listen_url))
        if self.listen_label.text().startswith("⚠"):
            self.listen_label.setToolTip(
                "Any device that can reach this computer can try tokens here. Listen on "
                "127.0.0.1 (Settings) unless your devices are on the network."
            )
        self._db_text = f"Database: {db_description}"
        self._outage = outage
        self._was_waiting = False
        self.db_label = ElidedLabel(self._db_text)
        self.rate_label = QLabel()
        self.rate_label.setMinimumWidth(130)
        self.rate_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for position, label in enumerate((self.listen_label, self.db_label, self.rate_label)):
            if position:
                separator = QFrame()
                separator.setFrameShape(QFrame.Shape.VLine)
                separator.setFrameShadow(QFrame.Shadow.Sunken)
                self.addPermanentWidget(separator)
            label.setContentsMargins(6, 0, 6, 0)
            self.addPermanentWidget(label)
        self._meter = RateMeter()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self.refresh()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def count_readings(self, count: int) -> None:
        self._meter.add(count)

    def refresh(self) -> None:
        self.rate_label.setText(f"{self._meter.rate():.1f} readings/s")
        if self._outage is None:
            return
        text = outage_text(*self._outage())
        if text is not None:
            self._was_waiting = True
            self.db_label.setText(text)
            self.db_label.setToolTip(text)
        elif self._was_waiting:
            self._was_waiting = False
            self.db_label.setText(self._db_text)
            self.db_label.setToolTip(self._db_text)
            self.showMessage("Database reachable again: every waiting reading is stored", 15000)
