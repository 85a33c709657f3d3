"""Port changes from the window that go through the writer: on/off and edited rules.

The writer owns detection, so a running app never writes a port's status itself: it sends a
`PortCommand`, which the writer applies in order with the readings (closing an open phantom
episode at once). The device learns the new status from its next response.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from functools import partial

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from phantom_desktop.ingest.messages import PortCommand
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store import repository
from phantom_desktop.ui.tasks import DbWorker
from phantom_desktop.ui.common.user_tasks import Rejected, user_task

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 10.0


class PortControl(QObject):
    """Turns the user's ports on and off; tells the writer when a port's rules were edited."""

    status_set = Signal(str, str, str)  # port id, port name, new status (committed)
    status_failed = Signal(str, str)  # port id, what went wrong
    pending_changed = Signal()

    def __init__(
        self, writer: Writer, worker: DbWorker, user_id: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._writer = writer
        self._worker = worker
        self._user_id = user_id
        self._pending: set[str] = set()

    def is_pending(self, port_id: str) -> bool:
        """A command for the port is in flight: its on/off actions stay disabled."""
        return port_id in self._pending

    def set_status(self, port_id: str, status: str) -> None:
        """Check the port is the user's, then have the writer switch it; emits when committed."""
        if port_id in self._pending:
            return
        self._set_pending(port_id, True)
        self._worker.submit(
            "Checking the port",
            user_task(lambda session: repository.get_port(session, self._user_id, port_id).name),
            partial(self._send, port_id, status),
            on_error=partial(self._failed, port_id),
        )

    def rules_changed(self, port_id: str) -> None:
        """The port's rules were just committed: the writer uses them from its next reading."""
        command = self._writer.command(PortCommand(port_id, rules_changed=True))
        command.done.add_done_callback(partial(_log_failure, port_id))

    def _send(self, port_id: str, status: str, name: str | Rejected) -> None:
        if isinstance(name, Rejected):
            self._failed(port_id, name.message)
            return
        command = self._writer.command(PortCommand(port_id, status=status))

        def wait(_session: Session) -> str:
            return command.done.result(timeout=COMMAND_TIMEOUT_S)

        self._worker.submit(
            f"Turning {name} {'on' if status == repository.PORT_ACTIVE else 'off'}",
            wait,
            partial(self._done, port_id, name),
            on_error=partial(self._failed, port_id),
        )

    def _done(self, port_id: str, name: str, status: str) -> None:
        self._set_pending(port_id, False)
        self.status_set.emit(port_id, name, status)

    def _failed(self, port_id: str, message: str) -> None:
        self._set_pending(port_id, False)
        self.status_failed.emit(port_id, message)

    def _set_pending(self, port_id: str, pending: bool) -> None:
        if pending:
            self._pending.add(port_id)
        else:
            self._pending.discard(port_id)
        self.pending_changed.emit()


def _log_failure(port_id: str, done: Future[str]) -> None:
    if done.exception() is not None:
        log.warning("the writer did not reload the rules of port %s: %s", port_id, done.exception())
