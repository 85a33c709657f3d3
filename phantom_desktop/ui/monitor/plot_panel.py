"""The Monitor's live plot with its legend beside it: the port picker and a log-scale switch."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from phantom_desktop.ui.common.palette import PortColors
from phantom_desktop.ui.monitor.live_plot import LivePlot
from phantom_desktop.ui.monitor.port_picker import PortPicker


class PlotPanel(QWidget):
    """The plot keeps its size however many ports there are: the legend scrolls instead."""

    def __init__(self, colors: PortColors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colors = colors
        self.plot = LivePlot(colors)
        self.picker = PortPicker()
        self.log_box = QCheckBox("Log scale")
        self.log_box.setToolTip("Power on a logarithmic axis: standby watts and kilowatts at once")
        self.picker.hidden_changed.connect(self.plot.set_hidden)
        self.log_box.toggled.connect(self.plot.set_log)

        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.picker, 1)
        side.addWidget(self.log_box)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addLayout(side)

    def set_ports(self, ports: Iterable[tuple[str, str]]) -> None:
        """List (id, name) ports in the legend, and draw them in its (natural) order."""
        names = dict(ports)
        order = self.picker.set_ports((p, name, self._colors.color(p)) for p, name in names.items())
        self.plot.set_ports((port_id, names[port_id]) for port_id in order)
        self.plot.set_hidden(self.picker.hidden())

    def state(self) -> tuple[list[str], bool]:
        """What to remember: the hidden ports and whether the axis is logarithmic."""
        return sorted(self.picker.hidden()), self.log_box.isChecked()

    def restore(self, hidden: Iterable[str], log: bool) -> None:
        self.picker.set_hidden(hidden)
        self.log_box.setChecked(log)
