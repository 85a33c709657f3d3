"""Export CSV from the History tab: choose the resolution and file, watch progress, cancel."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QWidget,
)
from sqlalchemy import Engine

from phantom_desktop.store.history_queries import Resolution
from phantom_desktop.ui.history.export_job import ExportJob

CHOICES = (
    ("Raw readings", Resolution.RAW),
    ("1-minute rollups", Resolution.MINUTE),
    ("1-hour rollups", Resolution.HOUR),
)


class ExportDialog(QDialog):
    """What to export (the ports shown, the visible range) and at which resolution."""

    def __init__(
        self, ports: list[tuple[str, str]], start: float, end: float, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export CSV")
        self.resolution = QComboBox()
        for label, value in CHOICES:
            self.resolution.addItem(label, value)
        names = ", ".join(name for _id, name in ports) or "(no port shown)"
        span = (f"{datetime.fromtimestamp(start):%Y-%m-%d %H:%M} – "
                f"{datetime.fromtimestamp(end):%Y-%m-%d %H:%M}")  # fmt: skip
        form = QFormLayout(self)
        ports_label = QLabel(names)
        ports_label.setWordWrap(True)
        form.addRow("Ports", ports_label)
        form.addRow("Range", QLabel(span))
        form.addRow("Resolution", self.resolution)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(bool(ports))
        form.addRow(buttons)


def run_export(
    parent: QWidget, engine: Engine, ports: list[tuple[str, str]], start: float, end: float
) -> ExportJob | None:
    """Ask, then export on a thread with a cancellable progress dialog; returns the job."""
    dialog = ExportDialog(ports, start, end, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    name, _ = QFileDialog.getSaveFileName(parent, "Export CSV", "history.csv", "CSV (*.csv)")
    if not name:
        return None
    out = Path(name)
    resolution = Resolution(dialog.resolution.currentData())
    job = ExportJob(engine, ports, start, end, resolution, out, parent)
    progress = QProgressDialog("Exporting…", "Cancel", 0, 0, parent)
    progress.setWindowTitle("Export CSV")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)

    def advance(rows: int, total: int) -> None:
        progress.setMaximum(max(total, 1))
        progress.setValue(min(rows, total))
        progress.setLabelText(f"Exporting {rows:,} of {total:,} rows to {out.name}…")

    def finish(rows: int) -> None:
        progress.close()
        QMessageBox.information(parent, "Export CSV", f"Exported {rows:,} rows to {out}.")

    def fail(message: str) -> None:
        progress.close()
        QMessageBox.warning(parent, "Export CSV", message)

    job.progressed.connect(advance)
    job.finished_rows.connect(finish)
    job.failed.connect(fail)
    job.cancelled.connect(progress.close)
    progress.canceled.connect(job.cancel)
    job.start()
    return job
