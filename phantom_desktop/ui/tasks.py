"""The window's database worker: runs its database tasks, one at a time, off the GUI thread.

Modelled on Electrum's TaskThread: tasks go on a queue, results come back to the GUI thread as
a queued signal that carries the callback, and `stop()` ends the thread with a sentinel and
waits for it. Each task gets its own session in its own transaction. A task only talks to the
database: nothing here waits for the writer or a serial port (those answer by callback).
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")
Task = Callable[[Session], T]  # a database task: runs in a session, returns what on_done gets
# What the queue carries: what, task, on_done, on_error; None stops the thread.
_Item = tuple[str, Task[Any], Callable[[Any], None], Callable[[str], None] | None]


class DbWorker(QThread):
    """Runs `Task`s in order on its own thread; see `submit`."""

    failed = Signal(str)  # on the GUI thread: what failed and why, for the user
    _succeeded = Signal(object, object)  # callback, result
    _errored = Signal(object, str)  # callback or None, message

    def __init__(self, sessions: sessionmaker[Session], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phantom-ui-db")
        self._sessions = sessions
        self._tasks: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._stopped = False
        self._succeeded.connect(self._deliver)
        self._errored.connect(self._report)

    def submit(
        self,
        what: str,
        task: Task[T],
        on_done: Callable[[T], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Run `task(session)` on the worker; call `on_done(result)` on the GUI thread.

        On an exception the session is rolled back, the error is logged, `failed` is emitted
        with "<what> failed: <error>" and `on_error` (if given) is called with that text.
        """
        self._tasks.put((what, task, on_done, on_error))

    def stop(self, timeout_ms: int = 15000) -> None:
        """Finish the queued tasks, then end the thread and wait for it.

        Results that reach the GUI thread after this are dropped: their window is closing.
        """
        self._stopped = True
        if not self.isRunning():
            return
        self._tasks.put(None)
        if not self.wait(timeout_ms):
            log.error("the window's database worker did not stop within %d ms", timeout_ms)

    def run(self) -> None:
        while True:
            item = self._tasks.get()
            if item is None:
                return
            what, task, on_done, on_error = item
            try:
                with self._sessions.begin() as session:
                    result = task(session)
            except Exception as exc:
                log.exception("%s failed", what)
                self._errored.emit(on_error, f"{what} failed: {exc}")
            else:
                self._succeeded.emit(on_done, result)

    def _deliver(self, on_done: Callable[[Any], None], result: Any) -> None:
        if not self._stopped:
            on_done(result)

    def _report(self, on_error: Callable[[str], None] | None, message: str) -> None:
        if self._stopped:
            return
        if on_error is not None:
            on_error(message)
        self.failed.emit(message)
