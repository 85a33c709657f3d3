"""Deleting a row with confirmation, the same way in every tab: impact → confirm → delete.

First the store says what deleting takes with it (readings, alerts, tokens...); the user
confirms that question in a window-modal box; then the row is deleted. Each step runs on the
window's database worker; a refusal of the store (gone meanwhile) becomes a message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget
from sqlalchemy.orm import Session

from phantom_desktop.ui.common.confirm import ConfirmBox
from phantom_desktop.ui.common.user_tasks import Rejected, user_task

if TYPE_CHECKING:
    from phantom_desktop.ui.tasks import DbWorker


class DeleteFlow(QObject):
    """Deletes one kind of thing ("device", "port") by key, after the user confirmed."""

    deleted = Signal(str, str)  # key, name of what was deleted
    finished = Signal()  # the flow ended (deleted, refused or failed): load the table again
    message = Signal(str)  # passing news for the status bar

    def __init__(
        self,
        worker: DbWorker,
        owner: QWidget,
        thing: str,
        impact: Callable[[Session, str], str],
        remove: Callable[[Session, str], str],
        open_dialog: Callable[[QDialog], None],
    ) -> None:
        """`impact(session, key)`: the question to confirm; `remove(session, key)`: delete it and
        return its name; `open_dialog` shows the confirmation (the owner keeps it as its dialog)."""
        super().__init__(owner)
        self._worker = worker
        self._owner = owner
        self._thing = thing
        self._impact = impact
        self._remove = remove
        self._open_dialog = open_dialog

    def start(self, key: str) -> None:
        """Ask what deleting `key` affects, then ask the user."""
        self._worker.submit(
            f"Checking what deleting the {self._thing} affects",
            user_task(lambda session: self._impact(session, key)),
            partial(self._confirm, key),
            on_error=self._failed,
        )

    def _confirm(self, key: str, question: str | Rejected) -> None:
        if isinstance(question, Rejected):
            self.message.emit(question.message)
            self.finished.emit()
            return
        action = f"Delete {self._thing}"
        box = ConfirmBox(self._owner, action, question, action, partial(self._confirmed, key))
        self._open_dialog(box)

    def _confirmed(self, key: str) -> None:
        self._worker.submit(
            f"Deleting the {self._thing}",
            user_task(lambda session: self._remove(session, key)),
            partial(self._deleted, key),
            on_error=self._failed,
        )

    def _failed(self, _message: str) -> None:
        self.finished.emit()  # the worker reported the failure already

    def _deleted(self, key: str, name: str | Rejected) -> None:
        if not isinstance(name, Rejected):
            self.message.emit(f"Deleted the {self._thing} {name}")
            self.deleted.emit(key, name)
        self.finished.emit()
