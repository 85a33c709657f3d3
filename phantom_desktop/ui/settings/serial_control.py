"""The window's side of the serial meters: the Settings dialog, applying it, and cuts that a
meter without a relay cannot carry out.

Restarting sources waits for their threads, so it runs on a thread of its own
(`app.restart_serial_sources_async`), not on the window's database worker, whose table loads
would queue behind it; the result comes back through a queued signal.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStatusBar, QWidget

from phantom_desktop.app import Services, restart_serial_sources_async
from phantom_desktop.core.enums import PortStatus
from phantom_desktop.ingest.messages import CommittedBatch
from phantom_desktop.ingest.serial.factory import ports_without_relay
from phantom_desktop.ingest.serial.status import SourceStatus
from phantom_desktop.ui.ports.port_model import PortModel
from phantom_desktop.ui.settings.serial_labels import plural
from phantom_desktop.ui.settings.settings_dialog import SettingsDialog
from phantom_desktop.ui.tasks import DbWorker

NO_RELAY_MESSAGE_MS = 60_000


class SerialControl(QObject):
    """Opens Settings (`settings_action`, Ctrl+,), restarts the meters it saved, and marks the
    ports that only a Modbus meter measures."""

    sources_restarted = Signal()
    energy_settings_saved = Signal()  # tariff, time zone or retention changed
    dialog_opened = Signal(object)  # the SettingsDialog, for the other sections' controls
    _restart_done = Signal(str)  # from the restart's thread: "" or what went wrong

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
        self._restarts: list[threading.Thread] = []
        self._restart_done.connect(self._restarted)
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
        dialog.energy_settings_saved.connect(self.energy_settings_saved)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        self.dialog_opened.emit(dialog)
        dialog.open()
        return dialog

    def close(self) -> None:
        """Close the Settings dialog, if open, without saving, and let a restart finish (the
        window is closing)."""
        if self.dialog is not None:
            self.dialog.reject()
        for thread in self._restarts:
            thread.join()

    def _dialog_closed(self, dialog: SettingsDialog) -> None:
        self.dialog = None
        dialog.deleteLater()

    def apply(self, serial_sources: list[dict]) -> None:
        """Stop the running meters and start the saved ones, on a thread of their own."""
        self._status_bar.showMessage("Restarting serial meters…")
        self._restarts = [thread for thread in self._restarts if thread.is_alive()]
        self._restarts.append(
            restart_serial_sources_async(self._services, serial_sources, self._report)
        )

    def _report(self, error: Exception | None) -> None:
        """On the restart's thread: hand the outcome to the GUI thread."""
        self._restart_done.emit(
            "" if error is None else f"Restarting serial meters failed: {error}"
        )

    def _restarted(self, error: str) -> None:
        if error:
            self._status_bar.showMessage(error, 10000)
            return
        self._mark_ports_without_relay()
        count = len(self._services.sources)
        running = f"{plural(count, 'serial meter')} running"
        self._status_bar.showMessage(running if count else "No serial meters running", 5000)
        self.sources_restarted.emit()

    def _mark_ports_without_relay(self) -> None:
        self._ports_model.set_no_relay(ports_without_relay(self._services.sources))

    def apply_batch(self, batch: CommittedBatch) -> None:
        """Say so when a port was turned off that no relay can cut."""
        cannot_cut = ports_without_relay(self._services.sources)
        for change in batch.status_changes:
            if change.status != PortStatus.OFF or change.port_id not in cannot_cut:
                continue
            row = self._ports_model.row(change.port_id)
            name = row.name if row is not None else change.port_id
            self._status_bar.showMessage(
                f"{name} could not be cut: its meter has no relay", NO_RELAY_MESSAGE_MS
            )
