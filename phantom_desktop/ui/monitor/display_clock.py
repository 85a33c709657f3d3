"""The one display timer of a page: it ticks only while the page is visible, paced by its cost.

Everything that refreshes what a page shows (the live plot every frame, slower panels every
second) hangs off one single-shot timer, so that a hidden tab costs nothing and all drawing
shares one budget: the time its callbacks take, plus what the plot reports for its paints, sets
the wait before the next tick (FramePacer).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from phantom_desktop.ui.monitor.frame_pacer import FramePacer


class DisplayClock(QObject):
    """Calls its callbacks while `page` is visible: frame ones each tick, others every N s."""

    def __init__(self, page: QWidget, pacer: FramePacer | None = None) -> None:
        super().__init__(page)
        self.pacer = pacer or FramePacer()
        self._page = page
        self._callbacks: list[tuple[Callable[[], None], float]] = []
        self._last_run: dict[int, float] = {}
        self._running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.tick)
        page.installEventFilter(self)

    def add(self, callback: Callable[[], None], every_s: float = 0.0) -> None:
        """Run `callback` on every tick, or at most once per `every_s` seconds."""
        self._callbacks.append((callback, every_s))

    def start(self) -> None:
        self._running = True
        self._arm(0.0)

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def tick(self) -> None:
        """Run what is due, count its time as drawing, and wait as long as the pacer says."""
        started = now = time.perf_counter()
        for index, (callback, every_s) in enumerate(self._callbacks):
            if every_s and now - self._last_run.get(index, -every_s) < every_s:
                continue
            self._last_run[index] = now
            callback()
        self.pacer.spent(time.perf_counter() - started)
        self._arm(self.pacer.next_interval())

    def _arm(self, delay_s: float) -> None:
        if self._running and self._page.isVisible():
            self._timer.start(round(delay_s * 1000))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._page:
            if event.type() == QEvent.Type.Show:
                self._last_run.clear()  # what was hidden is brought up to date at once
                self._arm(0.0)
            elif event.type() == QEvent.Type.Hide:
                self._timer.stop()
        return False
