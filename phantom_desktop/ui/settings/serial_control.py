"""The window's side of the serial meters: the Settings dialog, applying it, and cuts that a
meter without a relay cannot carry out.

Restarting sources waits for their threads, so it runs on a thread of its own (not the
window's database worker, whose table loads would queue behind it).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStatusBar, QWidget

from phantom_desktop.app import Services, restart_serial_sources
from phantom_desktop.ingest.messages import CommittedBatch
from phantom_desktop.ingest.serial.factory import ports_without_relay
from phantom_desktop.ingest.serial.status import SourceStatus
from phantom_desktop.store.models import PORT_OFF
from phantom_desktop.ui.ports.port_model import PortModel
from phantom_desktop.ui.settings.serial_labels import plural
from phantom_desktop.ui.settings.settings_dialog import SettingsDialog
from phantom_desktop.ui.tasks import DbWorker

NO_RELAY_MESSAGE_MS = 60_000
log = logging.getLogger(__name__)


class SourceRestart(QThread):
    """Stops the running serial sources and starts `serial_sources`; after `finished`,
    `error` says what went wrong, if anything (an invalid entry leaves everything running)."""

    def __init__(
        self, services: Services, serial_sources: list[dict], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("phantom-serial-restart")
        self._services = services
        self._serial_sources = serial_sources
        self.error: str | None = None

    def run(self) -> None:
        try:
            restart_serial_sources(self._services, self._serial_sources)
        except Exception as exc:
            log.exception("restarting serial meters failed")
            self.error = f"Restarting serial meters failed: {exc}"


class SerialControl(QObject):
    """Opens Settings (`settings_action`, Ctrl+,), restarts the meters it saved, and marks the
    ports that only a Modbus meter measures."""

    sources_restarted = Signal()

    def __init__(
        self,
        window: QWidget,
        services: Services,
        worker: DbWorker,
        ports_model: PortModel,
        status_bar: QStatusBar,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._worker = worker
        self._ports_model = ports_model
        self._status_bar = status_bar
        self.dialog: SettingsDialog | None = None
        self._restart: SourceRestart | None = None
        self._next_sources: list[dict] | None = None  # saved while a restart ran
        self.settings_action = QAction("&Settings…", window)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        self._mark_ports_without_relay()

    def statuses(self) -> list[SourceStatus]:
        """Snapshots of the running sources (each copied under its own short lock)."""
        return [source.status for source in self._services.sources]

    def open_settings(self) -> SettingsDialog:
        """Show the Settings dialog (window-modal, not blocking), or raise the open one."""
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        services = self._services
        dialog = SettingsDialog(
            services.paths, self._worker, services.user_id, services.listen_url, self._window
        )
        dialog.serial_sources_saved.connect(self.apply)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def close(self) -> None:
        """Close the Settings dialog, if open, without saving, and let a restart finish (the
        window is closing)."""
        if self.dialog is not None:
            self.dialog.reject()
        self._next_sources = None
        if self._restart is not None:
            self._restart.wait()

    def _dialog_closed(self, dialog: SettingsDialog) -> None:
        self.dialog = None
        dialog.deleteLater()

    def apply(self, serial_sources: list[dict]) -> None:
        """Stop the running meters and start the saved ones, on a thread of their own."""
        if self._restart is not None:  # one at a time; the newest list wins
            self._next_sources = serial_sources
            return
        self._status_bar.showMessage("Restarting serial meters…")
        self._restart = SourceRestart(self._services, serial_sources, self)
        self._restart.finished.connect(self._restarted)  # queued: this object is the GUI's
        self._restart.start()

    def _restarted(self) -> None:
        restart, self._restart = self._restart, None
        if restart is None:
            return
        restart.deleteLater()
        if restart.error is not None:
            self._status_bar.showMessage(restart.error, 10000)
        else:
            self._mark_ports_without_relay()
            count = len(self._services.sources)
            text = (
                f"{plural(count, 'serial meter')} running" if count else "No serial meters running"
            )
            self._status_bar.showMessage(text, 5000)
            self.sources_restarted.emit()
        if self._next_sources is not None:
            serial_sources, self._next_sources = self._next_sources, None
            self.apply(serial_sources)

    def _mark_ports_without_relay(self) -> None:
        self._ports_model.set_no_relay(ports_without_relay(self._services.sources))

    def apply_batch(self, batch: CommittedBatch) -> None:
        """Say so when a port was turned off that no relay can cut."""
        cannot_cut = ports_without_relay(self._services.sources)
        for change in batch.status_changes:
            if change.status != PORT_OFF or change.port_id not in cannot_cut:
                continue
            row = self._ports_model.row(change.port_id)
            name = row.name if row is not None else change.port_id
            self._status_bar.showMessage(
                f"{name} could not be cut: its meter has no relay", NO_RELAY_MESSAGE_MS
            )
