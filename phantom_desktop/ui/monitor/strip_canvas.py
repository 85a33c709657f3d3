"""The live curves as one image the size of the plot area, scrolled like a strip chart.

Redrawing every curve on every frame costs in proportion to the pixels the curves cover: 64
noisy ports cover the plot many times over, and Qt took ~100 ms a frame for them. The canvas
instead keeps what it drew: as time passes its pixels move left by whole columns (one column =
one device pixel = one decimation column, see core/decimate.py), and only the newest readings
of each port are drawn, on top. The whole picture is drawn again only when the scales, the
size or the shown ports change. The time axis counts seconds before now, so that the axes and
the grid stay still and pyqtgraph need not lay out and paint their labels on every frame.

Even decimated, a full picture of many noisy ports covers tens of millions of pixels (64 ports
took Qt ~0.8 s in one go), so the canvas also prices a polyline in the pixels it covers
(`costs`, `affordable`): the plot draws at most `STEP_PIXELS` per frame and the rest on the next.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from phantom_desktop.core.decimate import min_max

IMAGE_FORMAT = QImage.Format.Format_ARGB32_Premultiplied
STEP_PIXELS = 600_000  # pixels of 1 px aliased lines a frame may draw: ~10 ms of Qt raster


class StripCanvas(pg.GraphicsObject):
    """An image covering `rect` in the plot's data coordinates; columns are seconds / `width`."""

    def __init__(self) -> None:
        super().__init__()
        self._image = QImage()
        self._rect = QRectF()
        self.key: tuple | None = None  # what the picture was drawn for (size, scales, ports)
        self.right_column = 0  # absolute index (time // column width) of the last column
        self.column_s = 1.0
        self._y_range = (0.0, 1.0)
        self._size = (0, 0)
        self._pen_width = 1.0  # device pixels: 2 on a 2x screen
        self._grid = QImage()
        self._grid_color = QColor(0, 0, 0, 30)

    # -- geometry ---------------------------------------------------------------------------------
    def reset(
        self,
        size: tuple[int, int],
        dpr: float,
        column_s: float,
        right_column: int,
        y_range: tuple[float, float],
        key: tuple,
    ) -> None:
        """Start an empty picture of `size` device pixels ending at `right_column`."""
        self._image = QImage(size[0], size[1], IMAGE_FORMAT)
        self._image.fill(Qt.GlobalColor.transparent)
        self.key = key
        self._size = size
        self._pen_width = max(1.0, round(dpr))
        self.column_s = column_s
        self.right_column = right_column
        self._y_range = y_range
        self._update_rect()

    def scroll_to(self, right_column: int) -> None:
        """Move the picture left so that it ends at `right_column`; new columns start empty."""
        shift = right_column - self.right_column
        if shift <= 0:
            return
        pixels = self._pixels()
        if shift >= pixels.shape[1]:
            pixels[:] = 0
        else:
            pixels[:, :-shift] = pixels[:, shift:].copy()
            pixels[:, -shift:] = 0
        self.right_column = right_column
        self.update()

    def _pixels(self) -> np.ndarray:
        """The image's pixels as a (rows, columns) uint32 array sharing its memory."""
        image = self._image
        buffer = np.frombuffer(image.bits(), dtype=np.uint32)
        rows = buffer.reshape(image.height(), image.bytesPerLine() // 4)
        return rows[:, : image.width()]

    def _update_rect(self) -> None:
        """The picture covers the last `columns` columns up to "now" (x = 0, seconds ago)."""
        self.prepareGeometryChange()
        width = self._image.width() * self.column_s
        low, high = self._y_range
        self._rect = QRectF(-width, low, width, high - low)
        self.update()

    @property
    def x_range(self) -> tuple[float, float]:
        """The x the plot shows: seconds before the right edge of the newest column."""
        return self._rect.left(), self._rect.right()

    @property
    def time_range(self) -> tuple[float, float]:
        """The epoch seconds from the left edge of the oldest column to the right of the newest."""
        end = (self.right_column + 1) * self.column_s
        return end - self._image.width() * self.column_s, end

    def set_grid(self, color: QColor, x_ticks: list[float], y_ticks: list[float]) -> None:
        """Grid lines at these axis values, drawn under the curves; they stay where they are
        while the curves scroll (x is in seconds before now)."""
        image = QImage(self._image.size(), IMAGE_FORMAT)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.setPen(QPen(color, 0))
            left, right = self.x_range
            low, high = self._y_range
            for tick in x_ticks:
                x = (tick - left) / (right - left) * image.width()
                painter.drawLine(QPointF(x, 0), QPointF(x, image.height()))
            for tick in y_ticks:
                y = (high - tick) / (high - low) * image.height()
                painter.drawLine(QPointF(0, y), QPointF(image.width(), y))
        finally:
            painter.end()
        self._grid = image

    @property
    def image(self) -> QImage:
        """The picture, one pixel column per decimation column (read it, do not paint on it)."""
        return self._image

    @property
    def columns(self) -> int:
        return self._image.width()

    # -- drawing ----------------------------------------------------------------------------------
    def decimated(self, times: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) a curve hands to the picture: at most ~2 points per column of it."""
        start, end = self.time_range
        return min_max(times, values, start, end, self.column_s)

    def costs(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Pixels the polyline through points 0..i covers, for each i (x in data coordinates):
        its first pixel plus, per segment, the longer of its sides (clipped to the picture's
        height, as Qt clips it), times the pen's width."""
        low, high = self._y_range
        height = self._size[1]
        steps = np.maximum(
            np.abs(np.diff(x)) / self.column_s,
            np.minimum(np.abs(np.diff(y)) * (height / (high - low)), height),
        )
        return self._pen_width * (1.0 + np.concatenate(([0.0], np.cumsum(steps))))

    def affordable(
        self, x: np.ndarray, y: np.ndarray, budget: float, one_column: bool = False
    ) -> tuple[int, float]:
        """(n, pixels): how many leading points, ending with a whole column, fit in `budget`
        pixels; with `one_column`, at least the first column's (a step always progresses).

        A few new readings fit easily: they are charged a bound (their columns plus the full
        height per segment) without pricing each segment."""
        points = len(x)
        if points == 0:
            return 0, 0.0
        height, pen = self._size[1], self._pen_width
        bound = pen * (1.0 + float(x[-1] - x[0]) / self.column_s + (points - 1) * height)
        if bound <= budget:
            return points, bound
        costs = self.costs(x, y)
        count = int(np.searchsorted(costs, budget, side="right"))
        if count < len(x):
            columns = np.floor(x / self.column_s)
            count = int(np.searchsorted(columns, columns[count], side="left"))
            if count == 0 and one_column:
                count = int(np.searchsorted(columns, columns[0], side="right"))
        return count, float(costs[count - 1]) if count else 0.0

    def column_start(self, x: float) -> float:
        """The left edge, in time, of the column holding `x`."""
        return math.floor(x / self.column_s) * self.column_s

    def draw(self, curves: list[tuple[QColor, np.ndarray, np.ndarray]]) -> None:
        """Draw polylines given in data coordinates (x ascending, decimated) onto the picture."""
        if self._image.isNull() or not curves:
            return
        painter = QPainter(self._image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            pen = QPen()
            pen.setCosmetic(True)
            pen.setWidthF(self._pen_width)
            left = self.time_range[0]
            low, high = self._y_range
            x_scale = 1.0 / self.column_s
            y_scale = self._image.height() / (high - low)
            for color, x, y in curves:
                if len(x) == 0:
                    continue
                pen.setColor(color)
                painter.setPen(pen)
                if len(x) == 1:  # a lone reading: a dot where it is
                    x, y = np.repeat(x, 2), np.repeat(y, 2)
                polygon = pg.functions.create_qpolygonf(len(x))
                points = pg.functions.ndarray_from_qpolygonf(polygon)
                points[:, 0] = (x - left) * x_scale
                points[:, 1] = (high - y) * y_scale
                painter.drawPolyline(polygon)
        finally:
            painter.end()
        self.update()

    # -- QGraphicsItem ----------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter: QPainter, *_args) -> None:
        if self._image.isNull():
            return
        target = painter.transform().mapRect(self._rect)
        painter.save()
        painter.resetTransform()
        if self._grid.size() == self._image.size():
            painter.drawImage(target, self._grid)
        painter.drawImage(target, self._image)
        painter.restore()
