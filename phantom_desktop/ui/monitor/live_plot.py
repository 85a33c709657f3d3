"""The live power plot: per-port ring buffers, and one timer that redraws what changed.

Data arrival and drawing are separate (Friture): batches only append to numpy ring buffers and
mark their ports dirty; a ~25 Hz timer calls `setData` for the dirty curves and scrolls the
trailing time window.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from phantom_desktop.ingest.messages import StoredReading
from phantom_desktop.store.window_queries import PowerHistory
from phantom_desktop.ui.common.palette import PortColors
from phantom_desktop.ui.monitor.ring_buffer import RingBuffer

WINDOW_S = 600.0
CAPACITY = 16384  # per port: the full window at up to ~27 readings/s
REDRAW_INTERVAL_MS = 40
SCROLL_EVERY_S = 1.0
MIN_SPAN_S = 60.0
LEGEND_COLUMNS = 6


class LivePlot(pg.PlotWidget):
    """Power of each port over the trailing `window_s` seconds, one coloured curve per port."""

    def __init__(
        self,
        colors: PortColors,
        window_s: float = WINDOW_S,
        capacity: int = CAPACITY,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent=parent, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self._colors = colors
        self._window_s = window_s
        self._capacity = capacity
        self._buffers: dict[str, RingBuffer] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._dirty: set[str] = set()
        self._ignored: set[str] = set()
        self._last_scroll = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self.redraw)
        self._legend = self._style()
        self._scroll(time.time())

    def _style(self) -> pg.LegendItem:
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        self.setBackground(background)
        item = self.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.12)
        item.setLabel("left", "Power (W)", color=text.name())
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(text)
            axis.setTextPen(text)
        item.setMouseEnabled(x=False, y=True)  # time always follows "now"; power may be zoomed
        item.setMenuEnabled(False)
        item.enableAutoRange(axis="y")
        item.setAutoVisible(y=True)
        # The legend takes the title's row above the plot, so it never hides a curve.
        legend = pg.LegendItem(colCount=LEGEND_COLUMNS, labelTextColor=text, labelTextSize="9pt")
        item.layout.removeItem(item.titleLabel)
        item.titleLabel.hide()
        item.layout.addItem(legend, 0, 1)
        return legend

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    # -- data ---------------------------------------------------------------------------------
    def set_ports(self, ports: Iterable[tuple[str, str]]) -> None:
        """Show one curve per (port id, name); curves of ports no longer listed go away."""
        wanted = dict(ports)
        for port_id in [p for p in self._curves if p not in wanted]:
            curve = self._curves.pop(port_id)
            self._legend.removeItem(curve)
            self.getPlotItem().removeItem(curve)
        for port_id, name in wanted.items():
            curve = self._curves.get(port_id)
            if curve is not None and curve.name() == name:
                continue
            if curve is not None:  # renamed
                self._legend.removeItem(curve)
                self.getPlotItem().removeItem(curve)
            self._curves[port_id] = self._new_curve(port_id, name)
            self._legend.addItem(self._curves[port_id], name)
            self._dirty.add(port_id)
        self._fit_legend()

    def _fit_legend(self) -> None:
        """Give the legend's row of the plot layout the height its entries need."""
        self._legend.updateSize()
        self._legend.setFixedHeight(self._legend.layout.preferredHeight())

    def _new_curve(self, port_id: str, name: str) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(
            name=name,
            pen=pg.mkPen(self._colors.color(port_id), width=2),
            antialias=True,
            skipFiniteCheck=True,
        )
        curve.setClipToView(True)
        curve.setDownsampling(auto=True, method="peak")
        self.getPlotItem().addItem(curve)
        return curve

    def ignore(self, port_ids: Iterable[str]) -> None:
        """Stop buffering ports that are not ours (another user's, or deleted)."""
        for port_id in port_ids:
            self._ignored.add(port_id)
            self._buffers.pop(port_id, None)

    def backfill(self, port_id: str, history: PowerHistory) -> None:
        """Load a port's recent power from the database, before any live reading of it."""
        buffer = self._buffer(port_id)
        if len(buffer):
            return
        buffer.extend(history.times, history.power)
        buffer.last_id = history.last_id
        self._dirty.add(port_id)

    def append(self, readings: Iterable[StoredReading]) -> None:
        """Buffer live readings; ones already loaded by `backfill` (by id) are skipped."""
        grouped: dict[str, list[StoredReading]] = {}
        for reading in readings:
            if reading.port_id not in self._ignored:
                grouped.setdefault(reading.port_id, []).append(reading)
        for port_id, port_readings in grouped.items():
            buffer = self._buffer(port_id)
            fresh = [r for r in port_readings if r.id > buffer.last_id]
            if not fresh:
                continue
            buffer.extend(
                np.fromiter((r.timestamp.timestamp() for r in fresh), float, len(fresh)),
                np.fromiter((r.power for r in fresh), float, len(fresh)),
            )
            buffer.last_id = max(r.id for r in fresh)
            self._dirty.add(port_id)

    def series(self, port_id: str) -> tuple[np.ndarray, np.ndarray]:
        """The buffered (epoch seconds, watts) of a port within the trailing window."""
        buffer = self._buffers.get(port_id)
        if buffer is None:
            return np.empty(0), np.empty(0)
        return buffer.since(time.time() - self._window_s)

    def curve(self, port_id: str) -> pg.PlotDataItem | None:
        return self._curves.get(port_id)

    def _buffer(self, port_id: str) -> RingBuffer:
        buffer = self._buffers.get(port_id)
        if buffer is None:
            buffer = self._buffers[port_id] = RingBuffer(self._capacity)
        return buffer

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Hand the changed series to their curves and keep the time axis on "now"."""
        now = time.time()
        drew = False
        for port_id in self._dirty:
            curve = self._curves.get(port_id)
            buffer = self._buffers.get(port_id)
            if curve is not None and buffer is not None:
                times, power = buffer.since(now - self._window_s)
                curve.setData(times, power)
                drew = True
        self._dirty.clear()
        if drew or now - self._last_scroll >= SCROLL_EVERY_S:
            self._scroll(now)

    def _scroll(self, now: float) -> None:
        """Show the trailing window, or less while there is less data (at least a minute)."""
        start = now - self._window_s
        firsts = [buffer.since(start)[0][:1] for buffer in self._buffers.values()]
        earliest = min((float(first[0]) for first in firsts if len(first)), default=start)
        start = max(start, min(earliest, now - MIN_SPAN_S))
        self.getPlotItem().setXRange(start, now, padding=0)
        self._last_scroll = now
