"""The Devices tab: add, rename and delete devices; generate, rotate and revoke their tokens."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHeaderView, QPushButton, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from phantom_desktop.core.enums import TokenState
from phantom_desktop.store import repository, summaries
from phantom_desktop.store.summaries import DeviceSummary
from phantom_desktop.store.window_queries import NewToken, new_token
from phantom_desktop.ui.common.confirm import ConfirmBox
from phantom_desktop.ui.common.delete_flow import DeleteFlow
from phantom_desktop.ui.common.tables import select_key, selected_key, sorted_table
from phantom_desktop.ui.common.user_tasks import Rejected, user_task
from phantom_desktop.ui.common.widgets import header_row, muted_label, title_label
from phantom_desktop.ui.devices.device_dialog import DeviceDialog
from phantom_desktop.ui.devices.devices_model import DeviceColumn, DevicesModel
from phantom_desktop.ui.devices.token_dialog import TokenDialog
from phantom_desktop.ui.devices.tokens_model import TokenColumn, TokenRow, TokensModel
from phantom_desktop.ui.tasks import DbWorker


class DevicesTab(QWidget):
    """Devices above, the selected device's tokens below; every change runs on the worker."""

    devices_changed = Signal()  # added, renamed or deleted: port rows show device names
    message = Signal(str)  # passing news for the status bar

    def __init__(
        self, worker: DbWorker, user_id: str, base_url: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._user_id = user_id
        self._base_url = base_url
        self.dialog: QDialog | None = None  # the dialog or question open now, if any
        self.deleter = DeleteFlow(
            worker,
            self,
            "device",
            lambda s, device_id: repository.device_delete_impact(s, user_id, device_id).describe(),
            lambda s, device_id: repository.delete_device(s, user_id, device_id).device_name,
            self._open_dialog,
        )
        self.deleter.message.connect(self.message)
        self.deleter.finished.connect(self._after_deletion)

        self.model = DevicesModel(self)
        self.view = sorted_table(self.model, DeviceColumn.NAME, self)
        self.view.setObjectName("devicesTable")
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(DeviceColumn.NAME, QHeaderView.ResizeMode.Stretch)
        for device_column, width in ((DeviceColumn.ID, 300), (DeviceColumn.PORTS, 70)):
            header.resizeSection(device_column, width)
        header.resizeSection(DeviceColumn.LAST_READING, 130)
        header.resizeSection(DeviceColumn.TOKEN, 170)
        self.view.doubleClicked.connect(self.rename)

        self.tokens = TokensModel(self)
        self.tokens_view = sorted_table(self.tokens, TokenColumn.CREATED, self)
        self.tokens_view.setObjectName("tokensTable")
        self.tokens_view.sortByColumn(TokenColumn.CREATED, Qt.SortOrder.DescendingOrder)
        self.tokens_view.horizontalHeader().setSectionResizeMode(
            TokenColumn.STATE, QHeaderView.ResizeMode.Stretch
        )
        for column in (TokenColumn.TOKEN, TokenColumn.CREATED, TokenColumn.LAST_USED):
            self.tokens_view.horizontalHeader().resizeSection(column, 160)

        self.add_button = QPushButton("Add device…")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete…")
        self.generate_button = QPushButton("Generate token…")
        self.rotate_button = QPushButton("Rotate…")
        self.revoke_button = QPushButton("Revoke…")
        self.add_button.setToolTip(
            "Register a smart plug, power strip or script that sends readings"
        )
        self.generate_button.setToolTip("A new token for the selected device, shown once")
        self.rotate_button.setToolTip("Replace the device's tokens with a new one")
        self.revoke_button.setToolTip("The selected token stops working at once")
        self.add_button.clicked.connect(self.add)
        self.rename_button.clicked.connect(self.rename)
        self.delete_button.clicked.connect(self.delete_selected)
        self.generate_button.clicked.connect(partial(self.generate, False))
        self.rotate_button.clicked.connect(self.rotate)
        self.revoke_button.clicked.connect(self.revoke)
        self.tokens_title = title_label("Tokens")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(
            header_row(
                title_label("Devices"), self.add_button, self.rename_button, self.delete_button
            )
        )
        layout.addWidget(self.view, 5)
        layout.addSpacing(8)
        layout.addLayout(
            header_row(
                self.tokens_title, self.generate_button, self.rotate_button, self.revoke_button
            )
        )
        layout.addWidget(self.tokens_view, 3)
        layout.addWidget(
            muted_label(
                "A device sends readings with its token. A token is shown once, when it is "
                "generated; only a hash of it is kept. Rotate or revoke a token that may have "
                "leaked: it stops working at once."
            )
        )

        self.view.selectionModel().selectionChanged.connect(self._device_selected)
        self.tokens_view.selectionModel().selectionChanged.connect(self._update_actions)
        self._update_actions()

    # -- loading --------------------------------------------------------------------------------
    def selected_device(self) -> DeviceSummary | None:
        key = selected_key(self.view)
        return None if key is None else self.model.row(key)

    def select_device(self, device_id: str) -> bool:
        return select_key(self.view, device_id)

    def reload(self, then_select: str | None = None) -> None:
        """Load the user's devices again (after a change here or in the ports view)."""
        self._worker.submit(
            "Loading devices",
            lambda session: summaries.device_summaries(session, self._user_id),
            partial(self._loaded, then_select),
        )

    def _loaded(self, select: str | None, devices: list[DeviceSummary]) -> None:
        self.model.set_rows(devices)
        if select is not None:
            self.select_device(select)
        self._load_tokens()

    def _device_selected(self, *_args: object) -> None:
        self._load_tokens()

    def _load_tokens(self) -> None:
        device = self.selected_device()
        self.tokens_title.setText(f"Tokens of {device.name}" if device else "Tokens")
        self._update_actions()
        if device is None:
            self.tokens.set_rows([])
            return
        device_id = device.id

        def load(session: Session) -> list[TokenRow]:
            tokens = repository.list_tokens(session, self._user_id, device_id)
            return [TokenRow.of(token) for token in tokens]

        self._worker.submit(
            "Loading tokens", user_task(load), partial(self._tokens_loaded, device_id)
        )

    def _tokens_loaded(self, device_id: str, tokens: list[TokenRow] | Rejected) -> None:
        if selected_key(self.view) != device_id:
            return  # another device was selected meanwhile
        self.tokens.set_rows([] if isinstance(tokens, Rejected) else tokens)
        self._update_actions()

    def _update_actions(self, *_args: object) -> None:
        device = self.selected_device()
        for button in (self.rename_button, self.delete_button, self.generate_button):
            button.setEnabled(device is not None)
        self.rotate_button.setEnabled(device is not None and device.token_state != TokenState.NONE)
        token_id = selected_key(self.tokens_view)
        token = None if token_id is None else self.tokens.row(token_id)
        self.revoke_button.setEnabled(token is not None and token.active)

    # -- devices --------------------------------------------------------------------------------
    def add(self) -> None:
        self._open(DeviceDialog(self._worker, self._user_id, parent=self))

    def rename(self, *_args: object) -> None:
        device = self.selected_device()
        if device is not None:
            self._open(DeviceDialog(self._worker, self._user_id, device, parent=self))

    def _open(self, dialog: DeviceDialog) -> None:
        dialog.saved.connect(self._saved)
        self._open_dialog(dialog)

    def _saved(self, device_id: str) -> None:
        self.reload(then_select=device_id)
        self.devices_changed.emit()

    def delete_selected(self) -> None:
        device = self.selected_device()
        if device is not None:
            self.deleter.start(device.id)

    def _after_deletion(self) -> None:
        self.reload()
        self.devices_changed.emit()

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.open()

    # -- tokens ---------------------------------------------------------------------------------
    def generate(self, rotate: bool = False) -> None:
        device = self.selected_device()
        if device is None:
            return
        device_id = device.id
        self._worker.submit(
            "Rotating the token" if rotate else "Generating a token",
            user_task(lambda s: new_token(s, self._user_id, device_id, rotate)),
            partial(self._token_made, device_id),
        )

    def rotate(self) -> None:
        device = self.selected_device()
        if device is None:
            return
        self._open_dialog(
            ConfirmBox(
                self,
                "Rotate token",
                f"Replace the tokens of {device.name} with a new one? The current token stops "
                "working at once: the device is refused (401) until it has the new token.",
                "Rotate token",
                partial(self.generate, True),
            )
        )

    def _token_made(self, device_id: str, new: NewToken | Rejected) -> None:
        self.reload(then_select=device_id)
        if isinstance(new, Rejected):
            self.message.emit(new.message)
            return
        self._open_dialog(TokenDialog(new, self._base_url, self))

    def revoke(self) -> None:
        device = self.selected_device()
        token_id = selected_key(self.tokens_view)
        token = None if token_id is None else self.tokens.row(token_id)
        if device is None or token is None:
            return
        self._open_dialog(
            ConfirmBox(
                self,
                "Revoke token",
                f"Revoke the token {token.prefix}… of {device.name}? It stops working at once: "
                "the device is refused (401) until it gets a new token.",
                "Revoke token",
                partial(self._revoke, device.id, token.id),
            )
        )

    def _revoke(self, device_id: str, token_id: int) -> None:
        self._worker.submit(
            "Revoking the token",
            user_task(lambda s: repository.revoke_token(s, self._user_id, token_id).prefix),
            lambda _prefix: self.reload(then_select=device_id),
        )
