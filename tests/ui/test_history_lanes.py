"""The History view's lanes: one per port, named, in the port list's order."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPainter

from phantom_desktop.ui.history.history_plot import HistoryPlot, Lane


def drawn_labels(plot: HistoryPlot) -> list[tuple[float, str]]:
    """(vertical position in the axis, text) of every lane name the axis really draws."""
    axis = plot.lanes.getAxis("left")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis_spec, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return sorted((rect.center().y(), text) for rect, _flags, text in texts)


def test_sixteen_long_named_lanes_are_each_named_top_down_in_list_order(qtbot):
    plot = HistoryPlot(lambda _port: QColor("#1f77b4"))
    qtbot.addWidget(plot)
    plot.resize(1200, 900)
    plot.show()
    names = {f"p{i}": f"Socket {i} of the living-room strip" for i in range(1, 17)}
    plot.set_port_names(names)
    plot.show_episodes({port: Lane([(0.0, 60.0)], []) for port in names})

    # pyqtgraph drops a label wider than its axis: once laid out, none is dropped
    qtbot.waitUntil(lambda: len(drawn_labels(plot)) == 16, timeout=2000)
    labels = drawn_labels(plot)
    assert [text.split()[1] for _y, text in labels] == [str(i) for i in range(1, 17)]  # top down
    assert all(text.startswith("Socket ") and text.endswith("…") for _y, text in labels)


def test_a_short_name_is_shown_whole(qtbot):
    plot = HistoryPlot(lambda _port: QColor("#1f77b4"))
    qtbot.addWidget(plot)
    plot.resize(1200, 600)
    plot.show()
    plot.set_port_names({"tv": "TV", "fridge": "Fridge"})
    plot.show_episodes({"tv": Lane([], []), "fridge": Lane([], [])})
    qtbot.waitUntil(lambda: [t for _y, t in drawn_labels(plot)] == ["TV", "Fridge"], timeout=2000)
    assert plot.lanes.getAxis("left").width() == plot.plot.getAxis("left").width()
