"""The live power plot: per-port ring buffers, drawn a frame at a time by its page's clock.

Data arrival and drawing are separate (Friture): batches only append to numpy ring buffers and
mark their ports dirty. Each `redraw` (called by the page's DisplayClock while it is visible)
scrolls the canvas (ui/strip_canvas.py) to "now" and draws each changed port's new readings,
min/max-decimated per pixel column, up to the canvas's pixel budget per frame (`STEP_PIXELS`):
a full picture (a resize, other ports picked, the tab shown again) is drawn over as many frames
as it needs, port by port in drawing order, so no frame holds the GUI thread for long. Paint
times go to the clock's FramePacer, so that drawing, paints included, stays within a set share
of one core however dense the data.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable

import numpy as np
from PySide6.QtGui import QColor, QPaintEvent, QPalette
from PySide6.QtWidgets import QGraphicsItem, QWidget

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from phantom_desktop.core.plot_scale import power_limit, time_span, to_axis
from phantom_desktop.ingest.messages import StoredReading
from phantom_desktop.store.window_queries import PowerHistory
from phantom_desktop.ui.common.palette import PortColors
from phantom_desktop.ui.monitor.ago_axis import AgoAxis
from phantom_desktop.ui.monitor.frame_pacer import FramePacer
from phantom_desktop.ui.monitor.ring_buffer import RingBuffer
from phantom_desktop.ui.monitor.strip_canvas import STEP_PIXELS, StripCanvas

WINDOW_S = 600.0
CAPACITY = 16384  # per port: the full window at up to ~27 readings/s
TOP_MARGIN = 0.03  # room above the top tick, so that its label is not cut in half
EXTENT_EVERY_S = 1.0  # how often the oldest time and the highest power are looked up in full


class LivePlot(pg.PlotWidget):
    """Power of each shown port over the trailing `window_s` seconds, one colour per port."""

    def __init__(
        self,
        colors: PortColors,
        window_s: float = WINDOW_S,
        capacity: int = CAPACITY,
        pacer: FramePacer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent=parent, axisItems={"bottom": AgoAxis()})
        self._colors = colors
        self._window_s = window_s
        self._capacity = capacity
        self._buffers: dict[str, RingBuffer] = {}
        self._names: dict[str, str] = {}  # the ports listed, in the order they are drawn
        self._hidden: set[str] = set()  # listed ports the user chose not to see
        self._drawn_until: dict[str, float] = {}  # time of the newest reading drawn, per port
        self._dirty: set[str] = set()
        self._ignored: set[str] = set()
        self._log = False
        self._power_top: float | None = None
        self._auto_power = True
        self._extent_at = -math.inf
        self._extent_ports: list[str] = []
        self._earliest = 0.0
        self._highest = 1.0
        self.pacer = pacer or FramePacer()  # told what paints cost, so the clock can pace
        self._canvas = StripCanvas()
        self._style()

    def _style(self) -> None:
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        self.setBackground(background)
        self._grid_color = QColor(text)
        self._grid_color.setAlphaF(0.12)
        item = self.getPlotItem()
        item.setLabel("left", "Power (W)", color=text.name())
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(text)
            axis.setTextPen(text)
            # Drawn once into a pixmap: a canvas update then repaints no label (Python) again.
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        item.setMouseEnabled(x=False, y=True)  # time always follows "now"; power may be zoomed
        item.setMenuEnabled(False)
        item.hideButtons()
        box = item.getViewBox()
        box.disableAutoRange()
        box.sigRangeChangedManually.connect(self._power_zoomed)
        item.addItem(self._canvas)

    # -- ports --------------------------------------------------------------------------------
    def set_ports(self, ports: Iterable[tuple[str, str]]) -> None:
        """Draw one curve per (port id, name), in this order; others are no longer drawn."""
        self._names = dict(ports)
        self._hidden &= set(self._names)
        self._dirty.update(self._names)

    def port_name(self, port_id: str) -> str | None:
        return self._names.get(port_id)

    def set_hidden(self, port_ids: Iterable[str]) -> None:
        """Hide these listed ports' curves (the user's choice); the others are drawn."""
        self._hidden = set(port_ids) & set(self._names)

    def shown(self) -> list[str]:
        return [port_id for port_id in self._names if port_id not in self._hidden]

    def set_log(self, log: bool) -> None:
        """Power on a logarithmic axis (standby watts and kilowatts in one view) or a linear one."""
        self._log = log
        self._power_top = None
        self._auto_power = True
        self.getPlotItem().setLogMode(x=False, y=log)

    @property
    def log(self) -> bool:
        return self._log

    # -- data ---------------------------------------------------------------------------------
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

    def drawn(self, port_id: str) -> tuple[np.ndarray, np.ndarray]:
        """What the port's curve hands the canvas for the time shown: (x, power on the axis),
        at most about two points per pixel column."""
        buffer = self._buffers.get(port_id)
        if buffer is None or self._canvas.columns == 0:
            return np.empty(0), np.empty(0)
        times, power = buffer.latest()
        return self._canvas.decimated(times, to_axis(power, self._log))

    @property
    def canvas(self) -> StripCanvas:
        return self._canvas

    def _buffer(self, port_id: str) -> RingBuffer:
        buffer = self._buffers.get(port_id)
        if buffer is None:
            buffer = self._buffers[port_id] = RingBuffer(self._capacity)
        return buffer

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Bring the canvas to "now": scroll it, and draw the changed ports' new readings; start
        the picture again when the size, the scales or the shown ports changed. At most
        `STEP_PIXELS` are drawn: what is left stays due for the next frame."""
        now = time.time()
        box = self.getPlotItem().getViewBox()
        dpr = self.devicePixelRatioF()
        size = (round(box.width() * dpr), round(box.height() * dpr))
        if size[0] < 2 or size[1] < 2:
            return
        shown = [port_id for port_id in self.shown() if port_id in self._buffers]
        fresh = {p: self._undrawn(p) for p in shown if p in self._dirty}
        self._dirty.clear()
        earliest, highest = self._extent(now, shown, fresh)
        span = time_span(now - earliest, self._window_s)
        column_s = span / size[0]
        right = math.floor(now / column_s)
        low, high = self._power_range(highest)
        key = (size, dpr, span, low, high, self._log, tuple(shown), self._colors_of(shown))
        canvas = self._canvas
        if key != canvas.key or right - canvas.right_column >= size[0]:
            canvas.reset(size, dpr, column_s, right, (low, high), key)
            canvas.set_grid(self._grid_color, *self._ticks(-span, 0.0, low, high))
            self._drawn_until.clear()
            fresh = {port_id: self._buffers[port_id].latest() for port_id in shown}
        else:
            canvas.scroll_to(right)
        self._draw_within_budget(fresh)
        box.setRange(xRange=canvas.x_range, yRange=(low, high), padding=0)

    @property
    def pending(self) -> bool:
        """Whether some shown port has readings not drawn yet (the next frame draws them)."""
        return bool(self._dirty & set(self.shown()))

    def _draw_within_budget(self, fresh: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        """Draw the ports' undrawn readings in order until `STEP_PIXELS` are spent; a port cut
        short is drawn up to a column's edge and stays dirty, as do the ports after it."""
        canvas = self._canvas
        budget = float(STEP_PIXELS)
        curves: list[tuple[QColor, np.ndarray, np.ndarray]] = []
        for port_id, (times, power) in fresh.items():
            if budget <= 0:
                self._dirty.add(port_id)
                continue
            x, y = canvas.decimated(times, to_axis(power, self._log))
            count, cost = canvas.affordable(x, y, budget, one_column=not curves)
            if count < len(x):
                self._dirty.add(port_id)
                budget = 0.0
                if count == 0:
                    continue
                times = times[: np.searchsorted(times, canvas.column_start(x[count]), "left")]
            budget -= cost
            if len(times):
                self._drawn_until[port_id] = float(times[-1])
            curves.append((self._colors.color(port_id), x[:count], y[:count]))
        canvas.draw(curves)

    def _undrawn(self, port_id: str) -> tuple[np.ndarray, np.ndarray]:
        """A port's readings not drawn yet, from the last one drawn (the line goes on from it)."""
        times, power = self._buffers[port_id].latest()
        since = self._drawn_until.get(port_id)
        if since is None:
            return times, power
        first = int(np.searchsorted(times, since, side="left"))
        return times[first:], power[first:]

    def _extent(
        self, now: float, shown: list[str], fresh: dict[str, tuple[np.ndarray, np.ndarray]]
    ) -> tuple[float, float]:
        """(oldest time, highest power) of the shown data within the window: looked up in full
        once a second; in between the highest only rises with the readings not drawn yet."""
        if now - self._extent_at >= EXTENT_EVERY_S or self._extent_ports != shown:
            if self._extent_ports != shown:  # the user picked other ports: fit them at once
                self._power_top = None
            self._extent_at, self._extent_ports = now, shown
            windows = [self._buffers[port_id].since(now - self._window_s) for port_id in shown]
            self._earliest = min((float(t[0]) for t, _p in windows if len(t)), default=now)
            self._highest = max((float(p.max()) for _t, p in windows if len(p)), default=1.0)
        else:
            peaks = [float(p.max()) for _t, p in fresh.values() if len(p)]
            self._highest = max([self._highest, *peaks])
        return self._earliest, self._highest

    def _ticks(
        self, start: float, end: float, low: float, high: float
    ) -> tuple[list[float], list[float]]:
        """The axes' major tick values, where the grid lines go."""
        item = self.getPlotItem()
        x_levels = item.getAxis("bottom").tickValues(start, end, max(1.0, self.width()))
        y_levels = item.getAxis("left").tickValues(low, high, max(1.0, self.height()))
        return list(x_levels[0][1]), list(y_levels[0][1]) if y_levels else []

    def _colors_of(self, port_ids: list[str]) -> tuple[str, ...]:
        return tuple(self._colors.color(port_id).name() for port_id in port_ids)

    def _power_range(self, highest: float) -> tuple[float, float]:
        """The power axis: zoomed by the user, or from 0 to a nice limit above the data."""
        if not self._auto_power:
            low, high = self.getPlotItem().getViewBox().viewRange()[1]
            return float(low), float(high)
        if self._log:
            top = math.ceil(math.log10(max(highest, 1.0)) + 0.05)
            return -1.0, top + TOP_MARGIN * (top + 1)
        self._power_top = power_limit(self._power_top, highest)
        return 0.0, self._power_top * (1 + TOP_MARGIN)

    def _power_zoomed(self, *_args) -> None:
        """The user zoomed the power axis: keep their range until they double-click."""
        self._auto_power = False

    def mouseDoubleClickEvent(self, event) -> None:
        self._auto_power = True
        super().mouseDoubleClickEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        started = time.perf_counter()
        super().paintEvent(event)
        self.pacer.spent(time.perf_counter() - started)
