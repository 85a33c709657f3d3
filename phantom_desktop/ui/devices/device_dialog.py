"""Add a device or rename one: a name, checked by the store (not empty, unique per user)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QWidget

from phantom_desktop.store import repository
from phantom_desktop.store.summaries import DeviceSummary
from phantom_desktop.ui.common.task_dialog import TaskDialog
from phantom_desktop.ui.common.widgets import muted_label
from phantom_desktop.ui.tasks import DbWorker


class DeviceDialog(TaskDialog):
    """Creates a device (`device` None) or renames `device`; emits `saved` with its id."""

    saved = Signal(str)

    def __init__(
        self,
        worker: DbWorker,
        user_id: str,
        device: DeviceSummary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = "Add device" if device is None else f"Rename {device.name}"
        super().__init__(worker, title, parent)
        self._user_id = user_id
        self._device = device
        self.name_edit = QLineEdit(device.name if device else "")
        self.name_edit.setPlaceholderText("e.g. Living-room plug strip")
        self.name_edit.setMinimumWidth(320)
        self.form.addRow("Name:", self.name_edit)
        if device is None:
            self.form.addRow(
                "",
                muted_label(
                    "A device is what sends readings: a smart plug, a power strip, a script. "
                    "Next, generate its token and add the ports it measures."
                ),
            )
        action = "Add device" if device is None else "Rename"
        self.save_button = self.add_button(
            action, QDialogButtonBox.ButtonRole.AcceptRole, self.save
        )
        self.save_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)

    def save(self) -> None:
        name = self.name_edit.text()
        if self._device is None:
            self.run(
                "Adding the device",
                lambda s: repository.create_device(s, self._user_id, name).id,
                self._saved,
            )
        else:
            device_id = self._device.id
            self.run(
                "Renaming the device",
                lambda s: repository.rename_device(s, self._user_id, device_id, name).id,
                self._saved,
            )

    def _saved(self, device_id: str) -> None:
        self.saved.emit(device_id)
        self.accept()
