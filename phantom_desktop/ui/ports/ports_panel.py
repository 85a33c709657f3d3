"""The ports table with its actions: a sortable view of `PortsModel` and "Turn on"."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QMenu, QPushButton, QVBoxLayout, QWidget

from phantom_desktop.ui.common.delegates import StatusBadgeDelegate
from phantom_desktop.ui.common.widgets import header_row, table_view, title_label
from phantom_desktop.ui.ports_model import (
    OFF,
    PORT_ID_ROLE,
    SORT_ROLE,
    STATUS_ROLE,
    Column,
    PortsModel,
)

_COLUMN_WIDTHS = {
    Column.VOLTAGE: 85,
    Column.CURRENT: 85,
    Column.POWER: 90,
    Column.STATUS: 115,  # fits "Off · no relay"
    Column.THRESHOLD: 95,
    Column.LAST_SEEN: 105,
}


class PortsPanel(QWidget):
    """Lists the ports; asks (by signal) to turn an off port back on."""

    turn_on_requested = Signal(str)  # port id

    def __init__(self, model: PortsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._pending: set[str] = set()
        self.turn_on_button = QPushButton("Turn on")
        self.turn_on_button.setToolTip("Switch the selected port's relay back on")
        self.turn_on_button.setEnabled(False)
        self.turn_on_button.clicked.connect(self._request_turn_on)

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = table_view(self)
        self.view.setObjectName("portsTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.setItemDelegateForColumn(Column.STATUS, StatusBadgeDelegate(STATUS_ROLE, self))
        self.view.verticalHeader().setDefaultSectionSize(30)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.DEVICE, QHeaderView.ResizeMode.Stretch)
        for column, width in _COLUMN_WIDTHS.items():
            header.resizeSection(column, width)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(header_row(title_label("Ports"), self.turn_on_button))
        layout.addWidget(self.view)

        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        model.dataChanged.connect(self._update_actions)
        model.rowsRemoved.connect(self._update_actions)

    def selected_port_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(PORT_ID_ROLE) if rows else None

    def select_port(self, port_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(PORT_ID_ROLE) == port_id:
                self.view.selectRow(row)
                return

    def set_pending(self, port_id: str, pending: bool) -> None:
        """While a command for the port is in flight its action stays disabled."""
        if pending:
            self._pending.add(port_id)
        else:
            self._pending.discard(port_id)
        self._update_actions()

    def _can_turn_on(self, port_id: str | None) -> bool:
        row = None if port_id is None else self._model.row_of(port_id)
        return row is not None and row.status == OFF and port_id not in self._pending

    def _update_actions(self, *_args: object) -> None:
        self.turn_on_button.setEnabled(self._can_turn_on(self.selected_port_id()))

    def _request_turn_on(self) -> None:
        port_id = self.selected_port_id()
        if self._can_turn_on(port_id):
            self.turn_on_requested.emit(port_id)

    def _context_menu(self, position: QPoint) -> None:
        index: QModelIndex = self.view.indexAt(position)
        if not index.isValid():
            return
        port_id = index.data(PORT_ID_ROLE)
        menu = QMenu(self)
        action = menu.addAction("Turn on")
        action.setEnabled(self._can_turn_on(port_id))
        action.triggered.connect(lambda: self.turn_on_requested.emit(port_id))
        menu.exec(self.view.viewport().mapToGlobal(position))
