"""The History plot: each port's mean power with its min/max band, episode and cut lanes below,
a crosshair that reads out time and watts, and a linear or logarithmic power axis.

It only draws what it is given (`show_series`, `show_episodes`); the tab loads the data off the
GUI thread. Each curve gets at most the store's bounded number of points, drawn with thin
cosmetic pens and no antialiasing, all ports' curves in one item (`curve_set.py`), so a frame
costs the same whatever the range.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QWidget

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from phantom_desktop.ui.history.curve_set import CurveSet

LOG_FLOOR_W = 0.05  # zero is drawn here on the log axis (log of 0 is undefined)
LANE_H = 1.0
LANE_PX = 20
AXIS_PX = 70
AXIS_MAX_PX = 170  # lane names longer than this are shortened
EPISODE_COLOR = QColor(255, 140, 0, 150)
CUT_COLOR = QColor(120, 120, 120, 170)


@dataclass(frozen=True, slots=True)
class PlotSeries:
    """What the plot draws for a port: times (epoch s) and min/mean/max watts."""

    t: np.ndarray
    mean: np.ndarray
    min: np.ndarray
    max: np.ndarray
    banded: bool  # rollups: draw the min/max band


@dataclass(frozen=True, slots=True)
class Lane:
    """A port's phantom episodes and cut periods as (start, end) epoch seconds."""

    episodes: Sequence[tuple[float, float]]
    cuts: Sequence[tuple[float, float]]


class HistoryPlot(pg.GraphicsLayoutWidget):
    """Power of the chosen ports over a range; emits `range_changed` when the user pans/zooms."""

    range_changed = Signal(float, float)

    def __init__(self, color_of: Callable[[str], QColor], parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self._color_of = color_of
        self._names: dict[str, str] = {}
        self._series: dict[str, PlotSeries] = {}
        self._hidden: set[str] = set()
        self._log = False
        self._setting_range = False
        palette = self.palette()
        self._text = palette.color(QPalette.ColorRole.Text)
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        self.plot = self.addPlot(row=0, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.lanes = self.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self._style()
        self._curves = CurveSet()
        self.plot.addItem(self._curves)
        backdrop = palette.color(QPalette.ColorRole.Base)
        backdrop.setAlpha(210)
        self.readout = pg.TextItem(anchor=(0, 0), color=self._text, fill=pg.mkBrush(backdrop))
        self.readout.setZValue(10)
        self.plot.addItem(self.readout, ignoreBounds=True)
        self._vline = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(self._text, width=0))
        self._hline = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen(self._text, width=0))
        for line in (self._vline, self._hline):
            line.setVisible(False)
            self.plot.addItem(line, ignoreBounds=True)
        # All lanes' episodes in one item and all cuts in another: a frame asks each item for
        # its bounds, which cost more than drawing its bars when there was one item per port.
        self._episode_bars = self._bars(EPISODE_COLOR)
        self._cut_bars = self._bars(CUT_COLOR)
        self.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.getViewBox().sigXRangeChanged.connect(self._x_range_changed)

    def _style(self) -> None:
        text = self._text
        # No grid: pyqtgraph draws its translucent grid lines through the axes, and they cost
        # more than all the curves of a frame; the crosshair reads values out instead.
        for item in (self.plot, self.lanes):
            item.setMenuEnabled(False)
            for name in ("left", "bottom"):
                axis = item.getAxis(name)
                axis.setPen(text)
                axis.setTextPen(text)
        self.plot.setLabel("left", "Power (W)", color=text.name())
        self.plot.getViewBox().setMouseEnabled(x=True, y=False)
        # Time is the user's (presets, pan, zoom), never fitted to the data; power is fitted to
        # the shown points by `_fit_y` (pyqtgraph's auto-range asked every curve for its bounds,
        # with a pass over its points, several times a frame).
        for view in (self.plot.getViewBox(), self.lanes.getViewBox()):
            view.disableAutoRange()
        self.lanes.setXLink(self.plot)
        self.lanes.setMouseEnabled(x=True, y=False)
        # Linked views of different widths shift each other's range: align their left edges.
        for item in (self.plot, self.lanes):
            item.getAxis("left").setWidth(AXIS_PX)
        self.lanes.getAxis("left").setStyle(textFillLimits=[(0, 1.0)])  # a name for each lane
        self.lanes.hideAxis("bottom")
        self.lanes.invertY(True)  # the first lane on top, as in the port list
        self.ci.layout.setRowStretchFactor(0, 5)
        self.ci.layout.setRowStretchFactor(1, 1)

    # -- what is shown -----------------------------------------------------------------------
    def set_port_names(self, names: Mapping[str, str]) -> None:
        self._names = dict(names)

    def set_visible(self, port_id: str, visible: bool) -> None:
        if visible:
            self._hidden.discard(port_id)
        else:
            self._hidden.add(port_id)
        self._curves.set_visible(port_id, visible)
        self._fit_y()

    def shown_ports(self) -> list[str]:
        """The ports whose curves are drawn."""
        return self._curves.shown()

    def set_log(self, log: bool) -> None:
        """Logarithmic power axis: a 0.5 W standby stays visible beside a 2 kW kettle."""
        if log == self._log:
            return
        self._log = log
        start, end = self.view_range()
        self._setting_range = True  # the detour below is not the user's pan
        try:
            self.plot.setLogMode(y=log)  # pyqtgraph turns auto-range back on for both axes
            self.plot.getViewBox().disableAutoRange()
        finally:
            self._setting_range = False
        self.show_range(start, end)
        self.show_series(self._series)

    def show_range(self, start: float, end: float) -> None:
        """Set the visible time range without emitting `range_changed`."""
        self._setting_range = True
        try:
            self.plot.setXRange(start, end, padding=0)
        finally:
            self._setting_range = False

    def view_range(self) -> tuple[float, float]:
        low, high = self.plot.getViewBox().viewRange()[0]
        return float(low), float(high)

    def show_series(self, series: Mapping[str, PlotSeries]) -> None:
        """Replace the curves (ports not in `series` are removed)."""
        self._series = dict(series)
        self._curves.remove_ports_except(set(series))
        for port_id, data in series.items():
            band = (self._y(data.min), self._y(data.max)) if data.banded else None
            self._curves.set_port(
                port_id, QColor(self._color_of(port_id)), data.t, self._y(data.mean), band,
                port_id not in self._hidden,
            )  # fmt: skip
        self._fit_y()

    def _fit_y(self) -> None:
        """Fit the power axis to the shown curves (the loaded range is the view's)."""
        extent = self._curves.y_extent()
        if extent is None:
            return
        low, high = extent
        if high - low < 1e-9:
            low, high = low - 0.5, high + 0.5
        self.plot.setYRange(low, high, padding=0.05)

    def _y(self, values: np.ndarray) -> np.ndarray:
        """Values as the axis wants them (PlotCurveItem takes log10 itself: none here)."""
        if not self._log:
            return values
        return np.log10(np.maximum(values, LOG_FLOOR_W))

    def _bars(self, color: QColor) -> pg.BarGraphItem:
        empty = np.empty(0)
        bars = pg.BarGraphItem(x0=empty, x1=empty, y0=empty, height=LANE_H * 0.8, brush=color,
                               pen=pg.mkPen(None))  # fmt: skip
        self.lanes.addItem(bars)
        return bars

    def show_episodes(self, lanes: Mapping[str, Lane]) -> None:
        """One lane per port: phantom episodes (orange) and the time it stayed cut (grey)."""
        axis = self.lanes.getAxis("left")
        names = [self._names.get(port_id, port_id) for port_id in lanes]
        metrics = QFontMetrics(axis.style["tickFont"] or axis.font())
        room = self._fit_axes(axis, metrics, names)
        ticks = [
            (row + LANE_H / 2, metrics.elidedText(name, Qt.TextElideMode.ElideRight, room))
            for row, name in enumerate(names)
        ]
        for bars, spans_of in (
            (self._episode_bars, lambda lane: lane.episodes),
            (self._cut_bars, lambda lane: lane.cuts),
        ):
            rows = [(row, spans_of(lane)) for row, lane in enumerate(lanes.values())]
            x0 = np.array([s for _row, spans in rows for s, _e in spans], dtype=float)
            x1 = np.array([e for _row, spans in rows for _s, e in spans], dtype=float)
            y0 = np.array([row + 0.1 for row, spans in rows for _span in spans], dtype=float)
            bars.setOpts(x0=x0, x1=x1, y0=y0)
        axis.setTicks([ticks])
        self.lanes.setYRange(0, max(1, len(lanes)), padding=0.05)
        height = LANE_PX * max(1, len(lanes)) + 12  # room for every port's name
        self.lanes.setMinimumHeight(height)
        self.lanes.setMaximumHeight(height)

    def _fit_axes(self, axis: pg.AxisItem, metrics: QFontMetrics, names: Sequence[str]) -> int:
        """Widen both left axes (kept equal, so the plot and the lanes stay aligned) to the
        longest lane name, up to AXIS_MAX_PX; returns the room for a name. pyqtgraph drops,
        rather than clips, a tick label wider than its axis: a longer name is shortened with
        "…" instead, so that every lane keeps a name."""
        margin = axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"]) + 4
        widest = max((metrics.horizontalAdvance(name) for name in names), default=0)
        width = min(AXIS_MAX_PX, max(AXIS_PX, widest + margin))
        for item in (self.plot, self.lanes):
            item.getAxis("left").setWidth(width)
        return width - margin

    # -- crosshair ---------------------------------------------------------------------------
    def _mouse_moved(self, pos: QPointF) -> None:
        box = self.plot.getViewBox()
        if not self.plot.sceneBoundingRect().contains(pos):
            self._vline.setVisible(False)
            self._hline.setVisible(False)
            self.readout.setText("")
            return
        point = box.mapSceneToView(pos)
        self.readout_at(point.x(), point.y())

    def readout_at(self, x: float, y: float) -> str:
        """Move the crosshair to time `x` and show each visible port's power there."""
        self._vline.setPos(x)
        self._hline.setPos(y)
        self._vline.setVisible(True)
        self._hline.setVisible(True)
        lines = [datetime.fromtimestamp(x).strftime("%Y-%m-%d %H:%M:%S")]
        for port_id, data in self._series.items():
            if port_id in self._hidden or data.t.size == 0:
                continue
            index = int(np.clip(np.searchsorted(data.t, x, side="right") - 1, 0, data.t.size - 1))
            name = self._names.get(port_id, port_id)
            value = f"{_watts(data.mean[index])}"
            if data.banded:
                value += f" ({_watts(data.min[index])}–{_watts(data.max[index])})"
            lines.append(f"{name}: {value}")
        text = "\n".join(lines)
        self.readout.setText(text)
        (x0, _x1), (_y0, y1) = self.plot.getViewBox().viewRange()
        self.readout.setPos(x0, y1)
        return text

    def _x_range_changed(self, _box, x_range) -> None:
        if not self._setting_range:
            self.range_changed.emit(float(x_range[0]), float(x_range[1]))


def _watts(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.2f} kW"
    if value >= 10:
        return f"{value:.0f} W"
    return f"{value:.2f} W"
