"""Port changes from the window that go through the writer: on/off and edited rules; and the
one record of which ports have an on/off command in flight.

The writer owns detection, so a running app never writes a port's status itself: it sends a
`PortCommand`, which the writer applies in order with the readings (closing an open phantom
episode at once). The device learns the new status from its next response. Nothing waits for
the writer: its answer comes back through `Writer.command`'s on_done and a queued signal, so
the window's database worker stays free for table loads.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.ingest.messages import PortCommand
from phantom_desktop.store import repository
from phantom_desktop.ui.common.user_tasks import Rejected, user_task

if TYPE_CHECKING:
    from phantom_desktop.ingest.writer import Writer
    from phantom_desktop.ui.tasks import DbWorker

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_MS = 10_000


class PortControl(QObject):
    """Turns the user's ports on and off; tells the writer when a port's rules were edited.

    `is_pending` and `pending_changed` are what every on/off action of the window follows.
    """

    status_set = Signal(str, str, str)  # port id, port name, new status (committed)
    status_failed = Signal(str, str)  # port id, what went wrong
    pending_changed = Signal()
    # From the writer's thread to this object's (queued): command id, status or None, error.
    _answered = Signal(int, object, str)

    def __init__(
        self, writer: Writer, worker: DbWorker, user_id: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._writer = writer
        self._worker = worker
        self._user_id = user_id
        self._pending: dict[str, int] = {}  # port id -> the command in flight (0: being checked)
        self._names: dict[int, str] = {}
        self._next_id = 1
        self._answered.connect(self._answer)

    def is_pending(self, port_id: str) -> bool:
        """A command for the port is in flight: its on/off actions stay disabled."""
        return port_id in self._pending

    def set_status(self, port_id: str, status: PortStatus) -> None:
        """Check the port is the user's, then have the writer switch it; emits when committed."""
        if port_id in self._pending:
            return
        self._set_pending(port_id, 0)
        self._worker.submit(
            "Checking the port",
            user_task(lambda session: repository.get_port(session, self._user_id, port_id).name),
            partial(self._send, port_id, status),
            on_error=partial(self._failed, port_id),
        )

    def rules_changed(self, port_id: str) -> None:
        """The port's rules were just committed: the writer uses them from its next reading."""
        self._writer.command(
            PortCommand(port_id, rules_changed=True), on_done=partial(_log_failure, port_id)
        )

    def _send(self, port_id: str, status: PortStatus, name: str | Rejected) -> None:
        if isinstance(name, Rejected):
            self._failed(port_id, name.message)
            return
        command_id, self._next_id = self._next_id, self._next_id + 1
        self._names[command_id] = name
        self._set_pending(port_id, command_id)
        what = f"Turning {name} {'on' if status == PortStatus.ACTIVE else 'off'}"
        self._writer.command(
            PortCommand(port_id, status=status),
            on_done=partial(self._writer_answered, command_id, what),
        )
        QTimer.singleShot(
            COMMAND_TIMEOUT_MS,
            self,
            partial(self._answer, command_id, None, f"{what} failed: the app did not answer"),
        )

    def _writer_answered(self, command_id: int, what: str, done: Future[PortStatus]) -> None:
        """On the writer's thread: hand the answer to the GUI thread."""
        error = done.exception()
        if error is None:
            self._answered.emit(command_id, done.result(), "")
        else:
            log.warning("%s failed: %s", what, error)
            self._answered.emit(command_id, None, f"{what} failed: {error}")

    def _answer(self, command_id: int, status: str | None, error: str) -> None:
        port_id = next((p for p, c in self._pending.items() if c == command_id), None)
        name = self._names.pop(command_id, "")
        if port_id is None:
            return  # answered already (or timed out)
        if status is None:
            self._failed(port_id, error)
            return
        self._set_pending(port_id, None)
        self.status_set.emit(port_id, name, status)

    def _failed(self, port_id: str, message: str) -> None:
        self._set_pending(port_id, None)
        self.status_failed.emit(port_id, message)

    def _set_pending(self, port_id: str, command_id: int | None) -> None:
        if command_id is None:
            self._pending.pop(port_id, None)
        else:
            self._pending[port_id] = command_id
        self.pending_changed.emit()


def _log_failure(port_id: str, done: Future[PortStatus]) -> None:
    if done.exception() is not None:
        log.warning("the writer did not reload the rules of port %s: %s", port_id, done.exception())
