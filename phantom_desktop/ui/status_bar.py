"""The status bar: where ingestion listens, which database is in use, readings per second."""

from __future__ import annotations

import time
from collections import deque

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


def listen_text(listen_url: str | None) -> str:
    return f"Listening on {listen_url}" if listen_url else "Ingestion off"


class StatusBar(QStatusBar):
    """Permanent facts on the right; `showMessage` still works for passing news on the left."""

    def __init__(
        self, listen_url: str | None, db_description: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.listen_label = QLabel(listen_text(listen_url))
        self.db_label = ElidedLabel(f"Database: {db_description}")
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
