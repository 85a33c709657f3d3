"""The Alerts tab: every phantom notification, read or not, with what to do about it."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.store import alerts
from phantom_desktop.store.window_queries import AlertInfo
from phantom_desktop.ui.alerts.alerts_model import ALERT_ROLE, AlertColumn, AlertsModel
from phantom_desktop.ui.common import palette
from phantom_desktop.ui.common.delegates import short_message
from phantom_desktop.ui.common.user_tasks import Rejected, user_task
from phantom_desktop.ui.common.widgets import header_row, table_view, title_label
from phantom_desktop.ui.ports.port_control import PortControl
from phantom_desktop.ui.ports.port_model import PortModel
from phantom_desktop.ui.tasks import DbWorker

_AnyIndex = QModelIndex | QPersistentModelIndex


def _dot_icon(color: QColor, size: int = 10) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


class AlertsProxy(QSortFilterProxyModel):
    """Sorts alerts by time, port or message; unread ones bold with a dot; "unread only"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._unread_only = False
        self._dot = _dot_icon(QColor(palette.UNREAD))
        self._blank = _dot_icon(QColor(Qt.GlobalColor.transparent))

    def set_unread_only(self, unread_only: bool) -> None:
        if not hasattr(self, "beginFilterChange"):  # Qt < 6.10
            self._unread_only = unread_only
            self.invalidateFilter()
            return
        self.beginFilterChange()  # invalidateFilter is deprecated from Qt 6.10
        self._unread_only = unread_only
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: _AnyIndex) -> bool:
        if not self._unread_only:
            return True
        info: AlertInfo = self.sourceModel().index(source_row, 0, source_parent).data(ALERT_ROLE)
        return not info.is_read

    def lessThan(self, left: _AnyIndex, right: _AnyIndex) -> bool:
        a: AlertInfo = left.data(ALERT_ROLE)
        b: AlertInfo = right.data(ALERT_ROLE)
        match left.column():
            case AlertColumn.PORT:
                return (a.port_name.casefold(), a.time) < (b.port_name.casefold(), b.time)
            case AlertColumn.MESSAGE:
                return a.message.casefold() < b.message.casefold()
        return (a.time, a.notification_id) < (b.time, b.notification_id)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter  # as the cells
        return super().headerData(section, orientation, role)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole:
            info: AlertInfo = index.data(ALERT_ROLE)
            if not info.is_read:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.DisplayRole and index.column() == AlertColumn.MESSAGE:
            return short_message(index.data(ALERT_ROLE))  # the port has its own column
        if role == Qt.ItemDataRole.DecorationRole and index.column() == AlertColumn.TIME:
            return self._blank if index.data(ALERT_ROLE).is_read else self._dot
        return super().data(index, role)


class AlertsTab(QWidget):
    """Lists the shared `AlertsModel`; marks alerts read and acts on their ports."""

    go_to_port = Signal(str)  # port id
    mark_all_read_requested = Signal()
    message = Signal(str)

    def __init__(
        self,
        worker: DbWorker,
        user_id: str,
        model: AlertsModel,
        ports: PortModel,
        control: PortControl,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._user_id = user_id
        self._model = model
        self._ports = ports
        self._control = control
        self._busy = False

        self.proxy = AlertsProxy(self)
        self.proxy.setSourceModel(model)
        self.view = table_view(self)
        self.view.setObjectName("alertsTable")
        self.view.setModel(self.proxy)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(AlertColumn.TIME, Qt.SortOrder.DescendingOrder)
        self.view.verticalHeader().setDefaultSectionSize(28)
        header = self.view.horizontalHeader()
        header.resizeSection(AlertColumn.TIME, 170)
        header.resizeSection(AlertColumn.PORT, 200)
        header.setSectionResizeMode(AlertColumn.MESSAGE, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(self._go_to_port)

        self.unread_only_check = QCheckBox("Unread only")
        self.mark_read_button = QPushButton("Mark read")
        self.mark_all_read_button = QPushButton("Mark all read")
        self.go_to_port_button = QPushButton("Go to port")
        self.turn_on_button = QPushButton("Turn port back on")
        self.go_to_port_button.setToolTip("Show the alert's port in the Ports tab")
        self.turn_on_button.setToolTip("Switch the port that was cut back on")
        self.unread_only_check.toggled.connect(self.proxy.set_unread_only)
        self.mark_read_button.clicked.connect(self.mark_read)
        self.mark_all_read_button.clicked.connect(self.mark_all_read_requested)
        self.go_to_port_button.clicked.connect(self._go_to_port)
        self.turn_on_button.clicked.connect(self.turn_port_on)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(
            header_row(
                title_label("Alerts"),
                self.unread_only_check,
                self.mark_read_button,
                self.mark_all_read_button,
                self.go_to_port_button,
                self.turn_on_button,
            )
        )
        layout.addWidget(self.view)

        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        for signal in (model.dataChanged, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._update_actions)
        for signal in (ports.dataChanged, ports.rowsInserted, ports.rowsRemoved):
            signal.connect(self._update_actions)
        control.pending_changed.connect(self._update_actions)
        self._update_actions()

    def selected_alerts(self) -> list[AlertInfo]:
        return [index.data(ALERT_ROLE) for index in self.view.selectionModel().selectedRows()]

    def select_alert(self, notification_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(ALERT_ROLE).notification_id == notification_id:
                self.view.selectRow(row)
                return True
        return False

    def _current_port_status(self) -> tuple[str | None, str | None]:
        """The single selected alert's port id and that port's status (None: no such port)."""
        chosen = self.selected_alerts()
        if len(chosen) != 1 or chosen[0].port_id is None:
            return None, None
        port = self._ports.row(chosen[0].port_id)
        return chosen[0].port_id, None if port is None else port.status

    def _update_actions(self, *_args: object) -> None:
        chosen = self.selected_alerts()
        self.mark_read_button.setEnabled(
            not self._busy and any(not info.is_read for info in chosen)
        )
        self.mark_all_read_button.setEnabled(self._model.unread_count > 0)
        port_id, status = self._current_port_status()
        self.go_to_port_button.setEnabled(status in (PortStatus.ACTIVE, PortStatus.OFF))
        self.turn_on_button.setEnabled(
            status == PortStatus.OFF and not self._control.is_pending(port_id or "")
        )

    def mark_read(self) -> None:
        ids = {info.notification_id for info in self.selected_alerts() if not info.is_read}
        if not ids or self._busy:
            return
        self._busy = True
        self._update_actions()
        self._worker.submit(
            "Marking alerts read",
            user_task(lambda s: alerts.mark_read(s, self._user_id, ids)),
            partial(self._marked, ids),
            on_error=lambda _message: self._marked(set(), None),
        )

    def _marked(self, ids: set[int], result: int | Rejected | None) -> None:
        self._busy = False
        if isinstance(result, Rejected):
            self.message.emit(result.message)
        elif result is not None:
            self._model.mark_ids_read(ids)
        self._update_actions()

    def _go_to_port(self, *_args: object) -> None:
        port_id, status = self._current_port_status()
        if port_id is not None and status is not None:
            self.go_to_port.emit(port_id)

    def turn_port_on(self) -> None:
        port_id, status = self._current_port_status()
        if port_id is not None and status == PortStatus.OFF:
            self._control.set_status(port_id, PortStatus.ACTIVE)
