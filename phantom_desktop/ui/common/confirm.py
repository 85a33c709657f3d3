"""A non-blocking confirmation before a change that cannot be undone."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget


class ConfirmBox(QMessageBox):
    """Asks "<text>" with a named action button and Cancel (the default); calls back on yes."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        text: str,
        action: str,
        on_confirm: Callable[[], None],
    ) -> None:
        super().__init__(QMessageBox.Icon.Warning, title, text, parent=parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.confirm_button = self.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)
        self._on_confirm = on_confirm
        self.buttonClicked.connect(self._clicked)

    def _clicked(self, button: QAbstractButton) -> None:
        if button is self.confirm_button:
            self._on_confirm()
