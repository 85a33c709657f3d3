"""The window's side of the smart plugs: applying the plugs saved in Settings, showing what each
plug says about its port (offline, cutting…, Off (confirmed), cut not confirmed) in the port
model, and retrying a cut the plug did not confirm.

Restarting the MQTT source waits for the old one to commit and acknowledge what it holds, so it
runs on a thread of its own; the outcome comes back through a queued signal.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStatusBar

from phantom_desktop.app import Services, restart_mqtt_async
from phantom_desktop.ingest.mqtt.status import MqttStatus
from phantom_desktop.ui.ports.plug_states import PlugStates
from phantom_desktop.ui.ports.port_model import PortModel
from phantom_desktop.ui.settings.settings_dialog import SettingsDialog


class PlugControl(QObject):
    plugs_restarted = Signal()
    _restart_done = Signal(str)  # from the restart's thread: "" or what went wrong

    def __init__(
        self, services: Services, ports_model: PortModel, status_bar: QStatusBar, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._ports_model = ports_model
        self._status_bar = status_bar
        self._restarts: list[threading.Thread] = []
        self.states = PlugStates(self._sources, self)
        self.states.changed.connect(ports_model.set_plug_labels)
        self._restart_done.connect(self._restarted)

    def _sources(self) -> list[object]:
        return [] if self._services.mqtt is None else [self._services.mqtt]

    def broker_statuses(self) -> list[MqttStatus]:
        """The broker connection's snapshot for the Monitor; plugs that could not be started
        (their settings are invalid) show as a stopped source that says why."""
        source, error = self._services.mqtt, self._services.mqtt_error
        if source is not None:
            return [source.status]
        if error:
            return [MqttStatus("Smart plugs", "", "stopped", error, {}, {}, {})]
        return []

    def attach(self, dialog: SettingsDialog) -> None:
        """Apply the plugs this Settings dialog saves."""
        dialog.plugs_saved.connect(self.apply)

    def apply(self, mqtt: object, plugs: list[dict[str, object]], password: str) -> None:
        self._status_bar.showMessage("Restarting smart plugs…")
        self._restarts = [thread for thread in self._restarts if thread.is_alive()]
        broker = mqtt if isinstance(mqtt, dict) else None
        self._restarts.append(
            restart_mqtt_async(self._services, broker, plugs, password, self._report)
        )

    def _report(self, error: Exception | None) -> None:
        self._restart_done.emit("" if error is None else f"Smart plugs not restarted: {error}")

    def _restarted(self, error: str) -> None:
        if error:
            self._status_bar.showMessage(error, 10000)
            return
        source = self._services.mqtt
        count = 0 if source is None else len(source.plugs)
        self._status_bar.showMessage(
            f"{count} smart plug{'s' if count != 1 else ''} running" if count else "No smart plugs",
            5000,
        )
        self.states.poll()
        self.plugs_restarted.emit()

    def retry_cut(self, port_id: str) -> None:
        """Send the plug its off command again (publishing only queues it: no wait here)."""
        source = self._services.mqtt
        row = self._ports_model.row(port_id)
        name = row.name if row is not None else port_id
        if source is not None and source.switch(port_id, on=False):
            self._status_bar.showMessage(f"Cutting {name} again…", 5000)
            self.states.poll()
        else:
            self._status_bar.showMessage(f"{name} is not fed by a running smart plug", 8000)

    def close(self) -> None:
        """Let a restart finish (the window is closing)."""
        for thread in self._restarts:
            thread.join()
