"""The Monitor's ports panel: live power and status of each port, and "Turn on".

It shows the window's one `PortModel` (the Ports tab shows it too) with the live columns, and
follows `PortControl` for which ports have a command in flight.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QHeaderView, QMenu, QPushButton, QVBoxLayout, QWidget

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.ui.common.delegates import StatusBadgeDelegate
from phantom_desktop.ui.common.keyed_model import KEY_ROLE, STATUS_ROLE
from phantom_desktop.ui.common.tables import select_key, selected_key, show_columns, sorted_table
from phantom_desktop.ui.common.widgets import header_row, title_label
from phantom_desktop.ui.ports.port_model import OFF, PortColumn, PortModel, port_state

if TYPE_CHECKING:
    from phantom_desktop.ui.ports.port_control import PortControl

COLUMNS = (
    PortColumn.NAME,
    PortColumn.DEVICE,
    PortColumn.VOLTAGE,
    PortColumn.CURRENT,
    PortColumn.POWER,
    PortColumn.STATUS,
    PortColumn.THRESHOLD,
    PortColumn.LAST_READING,
)
_COLUMN_WIDTHS = {
    PortColumn.VOLTAGE: 85,
    PortColumn.CURRENT: 85,
    PortColumn.POWER: 90,
    PortColumn.STATUS: 115,  # fits "Off · no relay"
    PortColumn.THRESHOLD: 95,
    PortColumn.LAST_READING: 105,
}


class PortsPanel(QWidget):
    """Lists the ports with their latest reading; turns an off port back on."""

    def __init__(
        self, model: PortModel, control: PortControl, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._control = control
        self.turn_on_button = QPushButton("Turn on")
        self.turn_on_button.setToolTip("Switch the selected port's relay back on")
        self.turn_on_button.setEnabled(False)
        self.turn_on_button.clicked.connect(self._turn_on_selected)

        self.view = sorted_table(model, PortColumn.NAME, self)
        self.view.setObjectName("portsTable")
        self.proxy = self.view.model()
        show_columns(self.view, COLUMNS)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.setItemDelegateForColumn(
            PortColumn.STATUS, StatusBadgeDelegate(STATUS_ROLE, self)
        )
        self.view.verticalHeader().setDefaultSectionSize(30)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(PortColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PortColumn.DEVICE, QHeaderView.ResizeMode.Stretch)
        for column, width in _COLUMN_WIDTHS.items():
            header.resizeSection(column, width)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(header_row(title_label("Ports"), self.turn_on_button))
        layout.addWidget(self.view)

        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        model.dataChanged.connect(self._update_actions)
        model.rowsRemoved.connect(self._update_actions)
        control.pending_changed.connect(self._update_actions)

    def selected_port_id(self) -> str | None:
        key = selected_key(self.view)
        return None if key is None else str(key)

    def select_port(self, port_id: str) -> None:
        select_key(self.view, port_id)

    def can_turn_on(self, port_id: str | None) -> bool:
        row = None if port_id is None else self._model.row(port_id)
        return row is not None and port_state(row) == OFF and not self._control.is_pending(row.id)

    def turn_on(self, port_id: str) -> None:
        """Ask the writer to switch a port back on; the live feed then shows it on."""
        if self.can_turn_on(port_id):
            self._control.set_status(port_id, PortStatus.ACTIVE)

    def _update_actions(self, *_args: object) -> None:
        self.turn_on_button.setEnabled(self.can_turn_on(self.selected_port_id()))

    def _turn_on_selected(self) -> None:
        port_id = self.selected_port_id()
        if port_id is not None:
            self.turn_on(port_id)

    def _context_menu(self, position: QPoint) -> None:
        index: QModelIndex = self.view.indexAt(position)
        if not index.isValid():
            return
        port_id = str(index.data(KEY_ROLE))
        menu = QMenu(self)
        action = menu.addAction("Turn on")
        action.setEnabled(self.can_turn_on(port_id))
        action.triggered.connect(lambda: self.turn_on(port_id))
        menu.exec(self.view.viewport().mapToGlobal(position))
