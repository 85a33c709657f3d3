"""The live plot draws a bounded amount whatever the data: min/max per pixel column, and a
bounded number of pixels per frame (a full picture of many noisy ports takes several frames)."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest
from PySide6.QtGui import QColor

from phantom_desktop.store.window_queries import PowerHistory
from phantom_desktop.ui.common.palette import PortColors
from phantom_desktop.ui.monitor.display_clock import DisplayClock
from phantom_desktop.ui.monitor.live_plot import CAPACITY, LivePlot
from phantom_desktop.ui.monitor.strip_canvas import STEP_PIXELS

PORTS = 16
POINTS = 100_000


@pytest.fixture
def dense_plot(qtbot):
    """16 ports with 100,000 noisy readings each over the last ten minutes, shown 800 px wide."""
    colors = PortColors()
    plot = LivePlot(colors, capacity=POINTS)
    qtbot.addWidget(plot)
    plot.resize(800, 400)
    plot.show()
    qtbot.waitExposed(plot)
    now = time.time()
    rng = np.random.default_rng(10)
    plot.set_ports((f"port-{i}", f"w-{i}") for i in range(PORTS))
    data = {}
    for i in range(PORTS):
        times = np.sort(rng.uniform(now - 590, now - 1, POINTS))
        power = rng.uniform(40.0, 150.0, POINTS) + 5 * i
        plot.backfill(f"port-{i}", PowerHistory(times, power, POINTS))
        data[f"port-{i}"] = (times, power)
    draw_all(plot)
    plot.colors = colors  # the test's handle on the colours the plot draws with
    return plot, data


def draw_all(plot: LivePlot) -> int:
    """Redraw until nothing is left to draw; returns the number of frames it took."""
    frames = 0
    while frames == 0 or plot.pending:
        plot.redraw()
        frames += 1
        assert frames < 1000
    return frames


def column_envelope(x, y, column_s):
    columns = np.floor(np.asarray(x) / column_s).astype(np.int64)
    out = {}
    for column in np.unique(columns):
        values = np.asarray(y)[columns == column]
        out[int(column)] = (float(values.min()), float(values.max()))
    return out


def test_each_curve_hands_over_at_most_two_points_per_pixel_column(dense_plot):
    plot, data = dense_plot
    columns = plot.canvas.columns
    assert 700 <= columns <= 800 * plot.devicePixelRatioF()
    for port_id, (_times, power) in data.items():
        x, y = plot.drawn(port_id)
        assert 0 < len(x) <= 2 * columns + 2, port_id
        assert y.min() == power.min() and y.max() == power.max()


def test_the_drawn_envelope_is_the_datas_in_every_column(dense_plot):
    plot, data = dense_plot
    column_s = plot.canvas.column_s
    for port_id, (times, power) in list(data.items())[:4]:
        x, y = plot.drawn(port_id)
        assert column_envelope(x, y, column_s) == column_envelope(times, power, column_s)


def test_the_pixels_show_the_datas_envelope(qtbot, dense_plot, monkeypatch):
    """With one port shown, its colour spans, in each pixel column, the rows from the data's
    min to its max in that column, and beyond them only as far as the line's joins to the
    neighbouring columns reach (halfway to their max, or min): also when the curve took
    several frames to draw. One pixel of rounding either way."""
    plot, data = dense_plot
    port_id = "port-3"
    plot.set_hidden(p for p in data if p != port_id)
    monkeypatch.setattr("phantom_desktop.ui.monitor.live_plot.STEP_PIXELS", 20_000)
    assert draw_all(plot) > 3
    image = plot.canvas.image
    pixels = np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), -1)
    rgb = pixels[:, : image.width()] & 0xFFFFFF
    color = QColor(plot_color(plot, port_id)).rgb() & 0xFFFFFF
    low, high = plot.getPlotItem().getViewBox().viewRange()[1]
    times, power = data[port_id]
    expected = column_envelope(times, power, plot.canvas.column_s)
    left_column = plot.canvas.right_column + 1 - image.width()

    def pixel(value: float) -> int:
        """The row of pixels that holds this power."""
        return math.floor((high - value) / (high - low) * image.height())

    checked = 0
    for column in range(5, image.width() - 5):
        rows = np.flatnonzero(rgb[:, column] == color)
        here = left_column + column
        if not {here - 1, here, here + 1} <= expected.keys():
            continue
        (bottom, top), sides = expected[here], (expected[here - 1], expected[here + 1])
        lowest = min(bottom, *((bottom + side[0]) / 2 for side in sides))
        highest = max(top, *((top + side[1]) / 2 for side in sides))
        assert pixel(highest) - 1 <= rows.min() <= pixel(top) + 1, column
        assert pixel(bottom) - 1 <= rows.max() <= pixel(lowest) + 1, column
        checked += 1
    assert checked > 700


def plot_color(plot: LivePlot, port_id: str) -> str:
    return plot.colors.color(port_id).name()


def test_hidden_ports_are_not_drawn_and_a_hidden_plot_does_not_redraw(qtbot, dense_plot):
    plot, data = dense_plot
    plot.set_hidden(data)
    draw_all(plot)
    image = plot.canvas.image
    pixels = np.frombuffer(image.constBits(), np.uint32)
    colors = {QColor(plot_color(plot, p)).rgb() for p in data}
    assert not colors & set(np.unique(pixels).tolist())

    clock = DisplayClock(plot, plot.pacer)
    clock.add(plot.redraw)
    drawn = []
    clock.add(lambda: drawn.append(plot.canvas.right_column))
    clock.start()
    qtbot.waitUntil(lambda: len(drawn) > 1)
    plot.hide()
    count = len(drawn)
    qtbot.wait(400)
    assert len(drawn) == count and not clock.active
    plot.show()
    qtbot.waitUntil(lambda: len(drawn) > count)
    clock.stop()


def test_a_full_redraw_of_64_noisy_ports_is_spread_over_frames(qtbot, monkeypatch):
    """Each frame hands the canvas at most two points per pixel column per curve and at most
    STEP_PIXELS of lines; frame after frame, every port's curve is drawn across the plot."""
    colors = PortColors()
    plot = LivePlot(colors)
    qtbot.addWidget(plot)
    plot.resize(1200, 600)
    plot.show()
    qtbot.waitExposed(plot)
    now = time.time()
    rng = np.random.default_rng(64)
    ports = [f"port-{i}" for i in range(64)]
    plot.set_ports((port_id, port_id) for port_id in ports)
    for port_id in ports:
        times = np.linspace(now - 590, now - 1, CAPACITY)
        power = rng.uniform(0.0, 2000.0, CAPACITY)
        plot.backfill(port_id, PowerHistory(times, power, CAPACITY))
    frames: list[list[tuple[QColor, np.ndarray, np.ndarray]]] = []
    canvas = plot.canvas
    draw = canvas.draw

    def recording_draw(curves: list[tuple[QColor, np.ndarray, np.ndarray]]) -> None:
        frames.append(curves)
        draw(curves)

    monkeypatch.setattr(canvas, "draw", recording_draw)

    draw_all(plot)
    columns, column_s = canvas.columns, canvas.column_s
    costs = [sum(canvas.costs(x, y)[-1] for _c, x, y in curves if len(x)) for curves in frames]
    assert max(costs) <= STEP_PIXELS
    assert sum(costs) > 10 * STEP_PIXELS  # drawn in one go, this was a freeze of ~0.8 s
    assert all(len(x) <= 2 * columns + 2 for curves in frames for _c, x, _y in curves)
    port_of = {id(colors.color(port_id)): port_id for port_id in ports}
    pieces: dict[str, list[np.ndarray]] = {port_id: [] for port_id in ports}
    for curves in frames:
        for color, x, _y in curves:
            pieces[port_of[id(color)]].append(x)
    for port_id, xs in pieces.items():
        assert xs[0][0] <= max(canvas.time_range[0], now - 590) + column_s, port_id
        assert xs[-1][-1] >= now - 1 - column_s, port_id
        for before, after in itertools.pairwise(xs):
            assert after[0] <= before[-1] + column_s, port_id  # no gap between pieces
