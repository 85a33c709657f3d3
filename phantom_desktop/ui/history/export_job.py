"""A CSV export running on a thread of its own (it may take minutes), with progress and cancel.

It opens its own connection: the window's database worker stays free for the other tabs.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal
from sqlalchemy import Engine

from phantom_desktop.store.export import ExportCancelled, ExportProgress, export_csv
from phantom_desktop.store.history_queries import Resolution

log = logging.getLogger(__name__)


class ExportJob(QThread):
    """Export ports' rows of [start, end) at a resolution to `out`; emits progress and the end."""

    progressed = Signal(int, int)  # rows written, rows in all
    finished_rows = Signal(int)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        engine: Engine,
        ports: list[tuple[str, str]],
        start: float,
        end: float,
        resolution: Resolution,
        out: Path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("phantom-export")
        self._engine = engine
        self._ports = ports
        self._range = (datetime.fromtimestamp(start, UTC),
                       datetime.fromtimestamp(end, UTC))  # fmt: skip
        self._resolution = resolution
        self._out = out
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        def report(progress: ExportProgress) -> None:
            self.progressed.emit(progress.rows, progress.total)

        try:
            with self._engine.connect() as conn:
                rows = export_csv(conn, self._ports, *self._range, self._resolution, self._out,
                                  report, self._cancel)  # fmt: skip
        except ExportCancelled:
            self.cancelled.emit()
        except Exception as exc:
            log.exception("exporting to %s failed", self._out)
            self.failed.emit(f"Exporting to {self._out} failed: {exc}")
        else:
            self.finished_rows.emit(rows)
