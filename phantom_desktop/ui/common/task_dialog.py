"""Dialogs whose buttons run database tasks on the window's worker, with errors shown inline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from phantom_desktop.ui.common import palette
from phantom_desktop.ui.common.user_tasks import Rejected, user_task
from phantom_desktop.ui.tasks import DbWorker


class TaskDialog(QDialog):
    """A form, an inline error line and a button box; `run` keeps the dialog busy meanwhile.

    Refusals of the store (`Rejected`) and failures are shown above the buttons and the dialog
    stays open, so the user can correct what they typed.
    """

    def __init__(self, worker: DbWorker, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._busy = False
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setVerticalSpacing(10)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(palette.error_style(bold=True))
        self.error_label.hide()
        self.buttons = QDialogButtonBox()
        self.buttons.rejected.connect(self.reject)

        # Text above the fields goes in `top`: a form layout clips wrapped labels whose text
        # changes after the dialog is shown, a box layout follows them. The dialog takes the
        # size its content needs, also when an error line appears or an explanation arrives.
        self.top = QVBoxLayout()
        self.top.setSpacing(6)
        self.body = QVBoxLayout(self)
        self.body.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        self.body.setContentsMargins(18, 16, 18, 14)
        self.body.setSpacing(12)
        self.body.addLayout(self.top)
        self.body.addLayout(self.form)
        self.body.addWidget(self.error_label)
        self.body.addWidget(self.buttons)

    def add_button(
        self, text: str, role: QDialogButtonBox.ButtonRole, slot: Callable[[], None]
    ) -> QPushButton:
        button = self.buttons.addButton(text, role)
        button.clicked.connect(slot)
        return button

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    @property
    def busy(self) -> bool:
        return self._busy

    def run(
        self, what: str, task: Callable[[Session], Any], on_done: Callable[[Any], None]
    ) -> None:
        """Run `task` on the worker; call `on_done(result)` unless the store refused."""
        if self._busy:
            return
        self._set_busy(True)
        self.show_error("")

        def done(result: Any) -> None:
            self._set_busy(False)
            if isinstance(result, Rejected):
                self.show_error(result.message)
            else:
                on_done(result)

        def failed(message: str) -> None:
            self._set_busy(False)
            self.show_error(message)

        self._worker.submit(what, user_task(task), done, on_error=failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in self.buttons.buttons():
            if self.buttons.buttonRole(button) != QDialogButtonBox.ButtonRole.RejectRole:
                button.setEnabled(not busy and self.action_allowed(button))
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def action_allowed(self, _button: QAbstractButton) -> bool:
        """Whether a button may be enabled when the dialog is not busy (subclasses narrow it)."""
        return True
