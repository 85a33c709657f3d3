"""The window's tabs: Monitor (live), Devices, Ports and Alerts, and the links between them."""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

from phantom_desktop.core.snippets import listen_url
from phantom_desktop.ingest.messages import CommittedBatch
from phantom_desktop.store.models import LOCAL_USER_NAME, User
from phantom_desktop.ui.alerts.alerts_panel import alerts_title
from phantom_desktop.ui.alerts.alerts_tab import AlertsTab
from phantom_desktop.ui.devices.devices_tab import DevicesTab
from phantom_desktop.ui.ports.ports_tab import PortsTab

if TYPE_CHECKING:
    from phantom_desktop.ui.alerts.alerts_model import AlertsModel
    from phantom_desktop.ui.ports.port_control import PortControl
    from phantom_desktop.ui.ports.port_model import PortModel
    from phantom_desktop.ui.tasks import DbWorker


def device_base_url(listening_on: str | None, host: str, port: int) -> str:
    """The address devices post to, for the token snippets: where the server listens now,
    else where the settings say it would (a wildcard address becomes the loopback one)."""
    if listening_on:
        parts = urlsplit(listening_on)
        return listen_url(parts.hostname or host, parts.port or port)
    return listen_url(host, port)


class Workspace(QTabWidget):
    """Holds the tabs; keeps devices, ports and alerts consistent when one of them changes.

    The port and alerts models are the window's: the Monitor's panels show them too.
    """

    mark_all_read_requested = Signal()
    message = Signal(str)  # passing news for the status bar

    def __init__(
        self,
        monitor: QWidget,
        worker: DbWorker,
        user_id: str,
        base_url: str,
        control: PortControl,
        ports_model: PortModel,
        alerts_model: AlertsModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.setDocumentMode(True)
        self._worker = worker
        self._user_id = user_id
        self._alerts_model = alerts_model
        self.monitor = monitor
        self.devices_tab = DevicesTab(worker, user_id, base_url)
        self.ports_tab = PortsTab(worker, user_id, control, self.devices_tab.model, ports_model)
        self.alerts_tab = AlertsTab(worker, user_id, alerts_model, ports_model, control)
        self.user_label = QLabel()
        self.user_label.setContentsMargins(0, 0, 8, 0)
        self.setCornerWidget(self.user_label)
        self.addTab(monitor, "Monitor")
        self.addTab(self.devices_tab, "Devices")
        self.addTab(self.ports_tab, "Ports")
        self.addTab(self.alerts_tab, alerts_title(alerts_model.unread_count))
        self.setTabToolTip(0, "Live power, port status and the latest alerts")
        self.setTabToolTip(1, "Devices and their tokens")
        self.setTabToolTip(2, "Ports: thresholds, auto-cut, on and off")
        self.setTabToolTip(3, "Every phantom alert, read or not")

        self.devices_tab.devices_changed.connect(self._devices_changed)
        self.ports_tab.ports_changed.connect(self._ports_changed)
        self.ports_tab.port_deleted.connect(alerts_model.remove_port)
        self.alerts_tab.go_to_port.connect(self.show_port)
        self.alerts_tab.mark_all_read_requested.connect(self.mark_all_read_requested)
        for view in (self.devices_tab, self.ports_tab, self.alerts_tab):
            view.message.connect(self.message)
        alerts_model.unread_count_changed.connect(self._show_unread)

    def load(self) -> None:
        """Load the devices (the window loads ports and alerts), and who is logged in."""
        self.devices_tab.reload()
        self._worker.submit(
            "Loading the account",
            lambda session: session.get_one(User, self._user_id).name,
            self._show_user,
        )

    def reload(self) -> None:
        """Load the devices again: readings named ports the window did not know yet."""
        self.devices_tab.reload()

    def apply_batch(self, batch: CommittedBatch) -> None:
        """Live readings move the devices' last reading (the window updates the port model)."""
        newest: dict[str, datetime] = {}
        for reading in batch.readings:
            port = self.ports_tab.model.row(reading.port_id)
            if port is not None and port.device_id is not None:
                seen = newest.get(port.device_id)
                if seen is None or reading.timestamp > seen:
                    newest[port.device_id] = reading.timestamp
        self.devices_tab.model.saw_readings(newest)

    def show_port(self, port_id: str) -> None:
        """Switch to the Ports tab with the port selected."""
        self.setCurrentWidget(self.ports_tab)
        self.ports_tab.select_port(port_id)
        self.ports_tab.view.setFocus()

    def show_alerts(self) -> None:
        self.setCurrentWidget(self.alerts_tab)

    def _devices_changed(self) -> None:
        self.ports_tab.reload()  # they show device names

    def _ports_changed(self) -> None:
        self.devices_tab.reload()  # they count ports

    def _show_unread(self, unread: int) -> None:
        self.setTabText(self.indexOf(self.alerts_tab), alerts_title(unread))

    def _show_user(self, name: str) -> None:
        if name != LOCAL_USER_NAME:
            self.user_label.setText(f"Signed in as <b>{html.escape(name)}</b>")
