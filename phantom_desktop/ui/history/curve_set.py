"""All ports' curves of the History plot in one graphics item: mean lines and min/max strokes.

One item instead of two pyqtgraph curves per port: a pan frame asked each of 32 curves for its
bounds and went through its Python paint wrapper, ~2.3 of 13 ms a frame at 16 ports. The paths
are built once per load (`pg.arrayToQPath`) and drawn with 1 px cosmetic, aliased pens.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

BAND_ALPHA = 60


@dataclass(slots=True)
class _Port:
    mean: QPainterPath
    band: QPainterPath | None  # vertical strokes from min to max, one per point
    pen: QPen
    band_pen: QPen
    bounds: tuple[float, float, float, float]  # x0, x1, y0, y1
    visible: bool = True


class CurveSet(pg.GraphicsObject):
    """Each port's mean line and, when banded, its min/max strokes, in data coordinates."""

    def __init__(self) -> None:
        super().__init__()
        self._ports: dict[str, _Port] = {}
        self._rect = QRectF()
        self._y_extent: tuple[float, float] | None = None

    def set_port(
        self, port_id: str, color: QColor, t: np.ndarray, mean: np.ndarray,
        band: tuple[np.ndarray, np.ndarray] | None, visible: bool,
    ) -> None:  # fmt: skip
        """Replace a port's curve (y values as the axis wants them); `band` is (min, max)."""
        band_path = None
        low, high = _extent(mean)
        if band is not None and t.size:
            xs = np.repeat(t, 2)
            ys = np.empty(xs.size)
            ys[0::2], ys[1::2] = band
            band_path = pg.arrayToQPath(xs, ys, connect="pairs", finiteCheck=False)
            low, high = min(low, _extent(band[0])[0]), max(high, _extent(band[1])[1])
        faint = QColor(color)
        faint.setAlpha(BAND_ALPHA)
        self._ports[port_id] = _Port(
            pg.arrayToQPath(t, mean, connect="all", finiteCheck=False), band_path,
            pg.mkPen(color, width=0), pg.mkPen(faint, width=0),
            (float(t[0]), float(t[-1]), low, high) if t.size else (0.0, 0.0, np.inf, -np.inf),
            visible,
        )  # fmt: skip
        self._changed()

    def remove_ports_except(self, keep: set[str]) -> None:
        for port_id in [p for p in self._ports if p not in keep]:
            del self._ports[port_id]
        self._changed()

    def set_visible(self, port_id: str, visible: bool) -> None:
        port = self._ports.get(port_id)
        if port is not None and port.visible != visible:
            port.visible = visible
            self._changed()

    def shown(self) -> list[str]:
        """The ports whose curves are drawn."""
        return [port_id for port_id, port in self._ports.items() if port.visible]

    def y_extent(self) -> tuple[float, float] | None:
        """The lowest and highest value the shown curves draw (None: nothing shown)."""
        return self._y_extent

    def _changed(self) -> None:
        boxes = [p.bounds for p in self._ports.values() if p.visible and p.bounds[2] <= p.bounds[3]]
        self.prepareGeometryChange()
        if boxes:
            x0, x1 = min(b[0] for b in boxes), max(b[1] for b in boxes)
            y0, y1 = min(b[2] for b in boxes), max(b[3] for b in boxes)
            pad_x, pad_y = (x1 - x0) * 0.01 + 1e-9, (y1 - y0) * 0.01 + 1e-9
            self._rect = QRectF(x0 - pad_x, y0 - pad_y, x1 - x0 + 2 * pad_x, y1 - y0 + 2 * pad_y)
            self._y_extent = (y0, y1)
        else:
            self._rect = QRectF()
            self._y_extent = None
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def dataBounds(
        self, ax: int, frac: float = 1.0, orthoRange: object = None
    ) -> tuple[float | None, float | None]:
        """What pyqtgraph's auto-range (the plot's "A" button) fits to."""
        if self._rect.isNull():
            return None, None
        if ax == 0:
            return self._rect.left(), self._rect.right()
        return self._rect.top(), self._rect.bottom()

    def paint(self, painter: QPainter, *_args: object) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        ports = [p for p in self._ports.values() if p.visible]
        for port in ports:  # the bands under every mean line
            if port.band is not None:
                painter.setPen(port.band_pen)
                painter.drawPath(port.band)
        for port in ports:
            painter.setPen(port.pen)
            painter.drawPath(port.mean)


def _extent(values: np.ndarray) -> tuple[float, float]:
    if values.size == 0:
        return np.inf, -np.inf
    return float(np.nanmin(values)), float(np.nanmax(values))
