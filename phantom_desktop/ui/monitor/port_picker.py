"""The live plot's legend, which is also where the user picks the ports it shows.

A narrow, scrollable list beside the plot: one row per port (colour swatch, name, checkbox),
in natural order ("w-2" before "w-10"), with a filter once there are many. However many ports
there are, the plot keeps its size.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.core.natural_sort import natural_key

PICKER_WIDTH = 180
FILTER_FROM = 8  # the filter box appears once there are more ports than this
SWATCH = 12
PORT_ID_ROLE = Qt.ItemDataRole.UserRole


def swatch(color: QColor) -> QIcon:
    pixmap = QPixmap(SWATCH, SWATCH)
    pixmap.fill(color)
    return QIcon(pixmap)


class PortPicker(QWidget):
    """Check the ports to draw; `hidden_changed` carries the ids of the unchecked ones."""

    hidden_changed = Signal(object)  # set[str]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedWidth(PICKER_WIDTH)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter ports")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.all_button = QToolButton()
        self.all_button.setText("All")
        self.all_button.setToolTip("Show every port (that the filter lets through)")
        self.none_button = QToolButton()
        self.none_button.setText("None")
        self.none_button.setToolTip("Hide every port (that the filter lets through)")
        self.all_button.clicked.connect(lambda: self._check_listed(True))
        self.none_button.clicked.connect(lambda: self._check_listed(False))
        self.list = QListWidget()
        self.list.setIconSize(QSize(SWATCH, SWATCH))
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.itemChanged.connect(self._item_changed)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.none_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.filter)
        layout.addLayout(buttons)
        layout.addWidget(self.list, 1)
        self._hidden: set[str] = set()
        self.filter.hide()

    def set_ports(self, ports: Iterable[tuple[str, str, QColor]]) -> list[str]:
        """List (id, name, colour) ports; returns their ids in natural order of names.

        Ports hidden before stay hidden; new ports are shown.
        """
        ordered = sorted(ports, key=lambda port: (natural_key(port[1]), port[0]))
        self._hidden &= {port_id for port_id, _name, _color in ordered}
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for port_id, name, color in ordered:
                item = QListWidgetItem(swatch(color), name)
                item.setData(PORT_ID_ROLE, port_id)
                item.setToolTip(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                hidden = port_id in self._hidden
                item.setCheckState(Qt.CheckState.Unchecked if hidden else Qt.CheckState.Checked)
                self.list.addItem(item)
        finally:
            self.list.blockSignals(False)
        self.filter.setVisible(len(ordered) > FILTER_FROM)
        self._apply_filter(self.filter.text())
        return [port_id for port_id, _name, _color in ordered]

    def names(self) -> list[str]:
        """The listed names, top to bottom."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def hidden(self) -> set[str]:
        return set(self._hidden)

    def set_hidden(self, port_ids: Iterable[str]) -> None:
        """Uncheck these ports and check the others; ids not listed yet (a choice saved last
        time, restored before the ports are loaded) apply once they are."""
        self._hidden = set(port_ids)
        self.list.blockSignals(True)
        try:
            for item in self._items():
                hidden = item.data(PORT_ID_ROLE) in self._hidden
                item.setCheckState(Qt.CheckState.Unchecked if hidden else Qt.CheckState.Checked)
        finally:
            self.list.blockSignals(False)
        self.hidden_changed.emit(self.hidden())

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def _item_changed(self, item: QListWidgetItem) -> None:
        port_id = item.data(PORT_ID_ROLE)
        if item.checkState() == Qt.CheckState.Checked:
            self._hidden.discard(port_id)
        else:
            self._hidden.add(port_id)
        self.hidden_changed.emit(self.hidden())

    def _check_listed(self, checked: bool) -> None:
        listed = {item.data(PORT_ID_ROLE) for item in self._items() if not item.isHidden()}
        self.set_hidden(self._hidden - listed if checked else self._hidden | listed)

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for item in self._items():
            item.setHidden(bool(needle) and needle not in item.text().casefold())
