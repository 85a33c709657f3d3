"""The Ports tab: add, edit, delete ports, copy their ids, turn them off and on, and tune them."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QHeaderView, QPushButton, QVBoxLayout, QWidget

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.store import repository
from phantom_desktop.store.window_queries import WindowPort, load_ports
from phantom_desktop.ui.common.delegates import StatusBadgeDelegate
from phantom_desktop.ui.common.delete_flow import DeleteFlow
from phantom_desktop.ui.common.keyed_model import STATUS_ROLE
from phantom_desktop.ui.common.tables import select_key, selected_key, show_columns, sorted_table
from phantom_desktop.ui.common.widgets import header_row, muted_label, title_label
from phantom_desktop.ui.ports.port_dialog import PortDialog
from phantom_desktop.ui.ports.port_model import CUT_NOT_CONFIRMED, PortColumn, PortModel
from phantom_desktop.ui.ports.suggest_dialog import SuggestDialog

if TYPE_CHECKING:
    from phantom_desktop.ui.devices.devices_model import DevicesModel
    from phantom_desktop.ui.ports.port_control import PortControl
    from phantom_desktop.ui.tasks import DbWorker

COLUMNS = (
    PortColumn.NAME,
    PortColumn.DEVICE,
    PortColumn.ID,
    PortColumn.THRESHOLD,
    PortColumn.ALWAYS_ON,
    PortColumn.MIN_DURATION,
    PortColumn.AUTO_CUT,
    PortColumn.STATUS,
    PortColumn.POWER,
    PortColumn.DETECTION,
)
_COLUMN_WIDTHS = {
    PortColumn.ID: 140,  # elided; Copy ID copies it whole
    PortColumn.THRESHOLD: 90,
    PortColumn.MIN_DURATION: 110,
    PortColumn.AUTO_CUT: 100,
    PortColumn.STATUS: 115,  # fits "Off · no relay"
    PortColumn.POWER: 110,
    PortColumn.DETECTION: 220,
    PortColumn.ALWAYS_ON: 90,
}


class PortsTab(QWidget):
    """The user's ports with their rules; changes run on the worker or go through the writer.

    Its `model` is the window's one `PortModel`, which the Monitor's ports panel shows too.
    """

    ports_changed = Signal()  # added, edited or deleted: other views load them again
    port_deleted = Signal(str)  # port id; its readings and alerts are gone too
    message = Signal(str)  # passing news for the status bar
    retry_cut_requested = Signal(str)  # port id: its smart plug did not confirm the cut

    def __init__(
        self,
        worker: DbWorker,
        user_id: str,
        control: PortControl,
        devices: DevicesModel,
        model: PortModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._user_id = user_id
        self._control = control
        self._devices = devices
        self.dialog: QDialog | None = None  # the dialog or question open now, if any
        self.deleter = DeleteFlow(
            worker,
            self,
            "port",
            lambda s, port_id: repository.port_delete_impact(s, user_id, port_id).describe(),
            lambda s, port_id: repository.delete_port(s, user_id, port_id).port_name,
            self._open_dialog,
        )
        self.deleter.message.connect(self.message)
        self.deleter.deleted.connect(lambda port_id, _name: self.port_deleted.emit(port_id))
        self.deleter.finished.connect(self._after_deletion)

        self.model = model
        self.view = sorted_table(self.model, PortColumn.NAME, self)
        self.view.setObjectName("portsManageTable")
        show_columns(self.view, COLUMNS)
        self.view.setItemDelegateForColumn(
            PortColumn.STATUS, StatusBadgeDelegate(STATUS_ROLE, self)
        )
        self.view.verticalHeader().setDefaultSectionSize(30)
        header = self.view.horizontalHeader()
        for column in (PortColumn.NAME, PortColumn.DEVICE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column, width in _COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        self.view.doubleClicked.connect(self.edit)

        self.add_button = QPushButton("Add port…")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete…")
        self.copy_id_button = QPushButton("Copy ID")
        self.power_button = QPushButton("Turn off")
        self.suggest_button = QPushButton("Suggest threshold…")
        self.retry_button = QPushButton("Retry cut")
        self.retry_button.setToolTip("Send the smart plug its off command again")
        self.retry_button.clicked.connect(self.retry_cut)
        self.copy_id_button.setToolTip('Copy the port\'s ID: the device sends it as "portId"')
        self.power_button.setToolTip("The device learns it from the answer to its next reading")
        self.suggest_button.setToolTip("Propose a threshold from the port's recent readings")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete_selected)
        self.copy_id_button.clicked.connect(self.copy_id)
        self.power_button.clicked.connect(self.toggle_power)
        self.suggest_button.clicked.connect(self.suggest)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(
            header_row(
                title_label("Ports"),
                self.add_button,
                self.edit_button,
                self.delete_button,
                self.copy_id_button,
                self.power_button,
                self.retry_button,
                self.suggest_button,
            )
        )
        layout.addWidget(self.view)
        layout.addWidget(
            muted_label(
                "A port is one socket or circuit a device measures. The device sends readings "
                "with the port's ID; a port that is turned off tells its device to open the relay."
            )
        )

        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.dataChanged.connect(self._update_actions)
        self.model.rowsRemoved.connect(self._update_actions)
        control.pending_changed.connect(self._update_actions)
        control.status_set.connect(self._status_set)
        self._update_actions()

    # -- loading --------------------------------------------------------------------------------
    def selected_port(self) -> WindowPort | None:
        key = selected_key(self.view)
        return None if key is None else self.model.row(key)

    def select_port(self, port_id: str) -> bool:
        return select_key(self.view, port_id)

    def reload(self, then_select: str | None = None) -> None:
        """Load the user's ports again (after a change, or when new ports turned up)."""
        self._worker.submit(
            "Loading ports",
            lambda session: load_ports(session, self._user_id),
            partial(self._loaded, then_select),
        )

    def _loaded(self, select: str | None, ports: list[WindowPort]) -> None:
        self.model.set_rows(ports)
        if select is not None:
            self.select_port(select)

    def _refresh(self, port_id: str) -> None:
        self._worker.submit(
            "Loading the port",
            lambda session: load_ports(session, self._user_id, [port_id]),
            self._refreshed,
        )

    def _refreshed(self, ports: list[WindowPort]) -> None:
        for port in ports:
            self.model.put(port)

    def _update_actions(self, *_args: object) -> None:
        port = self.selected_port()
        for button in (
            self.edit_button,
            self.delete_button,
            self.copy_id_button,
            self.suggest_button,
        ):
            button.setEnabled(port is not None)
        off = port is not None and port.status == PortStatus.OFF
        self.power_button.setText("Turn on" if off else "Turn off")
        self.power_button.setEnabled(port is not None and not self._control.is_pending(port.id))
        unconfirmed = port is not None and self.model.plug_label(port.id) == CUT_NOT_CONFIRMED
        self.retry_button.setVisible(off and unconfirmed)

    # -- actions --------------------------------------------------------------------------------
    def _device_choices(self) -> list[tuple[str, str]]:
        return [(device.id, device.name) for device in self._devices.rows()]

    def add(self) -> None:
        self._open_port_dialog(
            PortDialog(self._worker, self._user_id, self._device_choices(), parent=self)
        )

    def edit(self, *_args: object) -> None:
        port = self.selected_port()
        if port is not None:
            self._open_port_dialog(
                PortDialog(self._worker, self._user_id, self._device_choices(), port, parent=self)
            )

    def _open_port_dialog(self, dialog: PortDialog) -> None:
        dialog.saved.connect(self._saved)
        self._open_dialog(dialog)

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.open()

    def _saved(self, port_id: str, created: bool) -> None:
        if not created:
            self._control.rules_changed(port_id)
        self.reload(then_select=port_id)
        self.ports_changed.emit()

    def delete_selected(self) -> None:
        port = self.selected_port()
        if port is not None:
            self.deleter.start(port.id)

    def _after_deletion(self) -> None:
        self.reload()
        self.ports_changed.emit()

    def copy_id(self) -> None:
        port = self.selected_port()
        if port is not None:
            QGuiApplication.clipboard().setText(port.id)
            self.message.emit(f"Copied the ID of {port.name}: {port.id}")

    def toggle_power(self) -> None:
        port = self.selected_port()
        if port is not None:
            status = PortStatus.ACTIVE if port.status == PortStatus.OFF else PortStatus.OFF
            self._control.set_status(port.id, status)

    def retry_cut(self) -> None:
        port = self.selected_port()
        if port is not None:
            self.retry_cut_requested.emit(port.id)

    def _status_set(self, port_id: str, _name: str, _status: str) -> None:
        self._refresh(port_id)

    def suggest(self) -> None:
        port = self.selected_port()
        if port is None:
            return
        dialog = SuggestDialog(self._worker, self._user_id, port, self)
        dialog.applied.connect(self._suggestion_applied)
        self._open_dialog(dialog)

    def _suggestion_applied(self, port_id: str) -> None:
        self._control.rules_changed(port_id)
        self._refresh(port_id)
        self.ports_changed.emit()
