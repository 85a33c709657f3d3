"""The main window: live power plot, ports table, alerts and status bar.

It only consumes: start state comes from the database on a worker thread, live data from the
writer's feed through `LiveBridge`, and port changes go to the writer as `PortCommand`s.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.ingest.messages import CommittedBatch
from phantom_desktop.store.window_queries import (
    Snapshot,
    WindowPort,
    load_ports,
    load_snapshot,
    mark_read_up_to,
)
from phantom_desktop.ui.alerts.alerts_model import AlertsModel, alert_info
from phantom_desktop.ui.alerts.alerts_panel import AlertsPanel
from phantom_desktop.ui.common.palette import PortColors
from phantom_desktop.ui.common.widgets import title_label
from phantom_desktop.ui.history.history_views import HistoryViews
from phantom_desktop.ui.live_bridge import LiveBridge
from phantom_desktop.ui.monitor.display_clock import DisplayClock
from phantom_desktop.ui.monitor.live_plot import CAPACITY, WINDOW_S
from phantom_desktop.ui.monitor.plot_panel import PlotPanel
from phantom_desktop.ui.monitor.sources_panel import SourcesPanel
from phantom_desktop.ui.monitor.welcome_panel import WelcomePanel
from phantom_desktop.ui.ports.port_control import PortControl
from phantom_desktop.ui.ports.port_model import PortModel
from phantom_desktop.ui.ports.ports_panel import PortsPanel
from phantom_desktop.ui.settings.plug_control import PlugControl
from phantom_desktop.ui.settings.serial_control import SerialControl
from phantom_desktop.ui.status_bar import StatusBar
from phantom_desktop.ui.tasks import DbWorker
from phantom_desktop.ui.tray import TrayNotifier
from phantom_desktop.ui.workspace import Workspace, device_base_url

if TYPE_CHECKING:
    from phantom_desktop.app import Services

log = logging.getLogger(__name__)

WINDOW_TITLE = "Phantom Desktop"
DEFAULT_SIZE = (1200, 760)
SETTINGS_FILE = "window.ini"
SETTINGS_GROUP = "MainWindow"
SETTINGS_VERSION = 1
# The ports panel's columns; "portsHeader" held the state of its own model's eight columns.
PORTS_HEADER_KEY = "portsPanelHeader"
SOURCES_EVERY_S = 1.0  # the serial meters' counters refresh once a second


def string_list(value: object) -> list[str]:
    """A list read back from QSettings: an INI file returns a single item as a bare string."""
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value] if isinstance(value, list) else []


def window_settings(config_dir: Path) -> QSettings:
    """The window's UI state file, next to the application settings."""
    return QSettings(str(config_dir / SETTINGS_FILE), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    """The application window for one `Services`; call `shutdown()` (or close it) to stop."""

    loaded = Signal()  # the start state is shown and live updates are running
    ports_reloaded = Signal()  # the port list was loaded again for ports seen in readings

    def __init__(
        self, services: Services, settings: QSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._user_id = services.user_id
        self._settings = settings or window_settings(services.paths.config_dir)
        self._foreign_ports: set[str] = set()
        self._unknown_ports: set[str] = set()
        self._reloading = False
        self._live = False
        self._shut_down = False

        colors = self._colors = PortColors()
        self.ports_model = PortModel(colors, self)  # the one port model: Monitor and Ports tab
        self.alerts_model = AlertsModel(self)
        self.plot_panel = PlotPanel(colors)
        self.plot = self.plot_panel.plot
        self.status = StatusBar(
            services.listen_url,
            services.db_description,
            outage=lambda: services.writer.outage,
        )
        self.bridge = LiveBridge(services.live_feed, parent=self)
        self.worker = DbWorker(services.sessions, self)
        self.port_control = PortControl(services.writer, self.worker, self._user_id, self)
        self.ports_panel = PortsPanel(self.ports_model, self.port_control)
        self.alerts_panel = AlertsPanel(self.alerts_model)
        self.tray = TrayNotifier(QApplication.windowIcon(), self)
        self.serial = SerialControl(self, services, self.worker, self.ports_model, self.status)
        self.plugs = PlugControl(services, self.ports_model, self.status, self)
        self.sources_panel = SourcesPanel(self.serial.statuses, self.plugs.broker_statuses)

        self.setWindowTitle(WINDOW_TITLE)
        self.setStatusBar(self.status)
        self._build_layout()
        self._build_menu()
        self.bridge.batch_committed.connect(self.apply_batch)
        self.bridge.batch_committed.connect(self.serial.apply_batch)
        self.sources_panel.settings_requested.connect(self.serial.open_settings)
        self.serial.dialog_opened.connect(self.plugs.attach)
        self.workspace.ports_tab.retry_cut_requested.connect(self.plugs.retry_cut)
        self.serial.sources_restarted.connect(self.sources_panel.refresh)
        self.plugs.plugs_restarted.connect(self.sources_panel.refresh)
        self.ports_model.reloaded.connect(self._ports_shown)
        self.alerts_panel.mark_all_read_requested.connect(self.mark_all_read)
        self.worker.failed.connect(self._show_error)
        self.port_control.status_set.connect(self._port_status_set)
        self.port_control.status_failed.connect(self._port_status_failed)
        self.workspace.mark_all_read_requested.connect(self.mark_all_read)
        self.workspace.message.connect(lambda message: self.status.showMessage(message, 6000))
        self.ports_reloaded.connect(self.workspace.reload)
        self.ports_model.reloaded.connect(self.history.ports_changed)
        self.serial.energy_settings_saved.connect(self.history.settings_saved)
        self.alerts_model.unread_count_changed.connect(self._show_unread)
        self.tray.activated.connect(self._show_alerts)
        self._restore_state()

        self.worker.start()
        self.workspace.load()  # devices first: the Ports tab's dialogs list them
        self.status.showMessage("Loading ports and alerts…")
        self.worker.submit(
            "Loading ports and alerts",
            lambda session: load_snapshot(
                session,
                self._user_id,
                datetime.now(UTC),
                timedelta(seconds=WINDOW_S),
                CAPACITY,
            ),
            self._apply_snapshot,
            on_error=lambda _message: self._start_live(),
        )

    # -- layout -------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.plot_box = plot_box = QWidget()
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 6)
        plot_layout.addWidget(title_label(f"Live power · last {WINDOW_S / 60:g} minutes"))
        plot_layout.addWidget(self.plot_panel)
        services = self._services
        settings = services.settings
        base_url = device_base_url(services.listen_url, settings.http_host, settings.http_port)
        self.welcome = WelcomePanel(f"{base_url}/api/sensor/reading")
        self.monitor_stack = QStackedWidget()
        self.monitor_stack.addWidget(plot_box)
        self.monitor_stack.addWidget(self.welcome)

        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.left_splitter.setObjectName("leftSplitter")
        self.left_splitter.addWidget(self.monitor_stack)
        self.left_splitter.addWidget(self.ports_panel)
        self.left_splitter.setStretchFactor(0, 3)
        self.left_splitter.setStretchFactor(1, 2)

        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.left_splitter)
        right_column = QWidget()
        right_layout = QVBoxLayout(right_column)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.alerts_panel, 1)
        right_layout.addWidget(self.sources_panel)
        self.main_splitter.addWidget(right_column)
        self.main_splitter.setStretchFactor(0, 3)
        self.main_splitter.setStretchFactor(1, 1)
        for splitter in (self.left_splitter, self.main_splitter):
            splitter.setChildrenCollapsible(False)
            splitter.setHandleWidth(10)

        monitor = QWidget()
        # The Monitor's one display timer: it runs only while the tab shows (issue 8, item 9).
        self.clock = DisplayClock(monitor, self.plot.pacer)
        self.clock.add(self.plot.redraw)
        self.clock.add(self.sources_panel.refresh, every_s=SOURCES_EVERY_S)
        layout = QVBoxLayout(monitor)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.main_splitter)
        self.workspace = Workspace(
            monitor,
            self.worker,
            self._user_id,
            base_url,
            self.port_control,
            self.ports_model,
            self.alerts_model,
        )
        self.history = HistoryViews(self, self._services, self.worker, self._colors, self.workspace)
        self.welcome.add_device_requested.connect(self._add_first_device)
        self.welcome.add_port_requested.connect(self._add_first_port)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 8, 12, 4)
        layout.addWidget(self.workspace)
        self.setCentralWidget(central)

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.serial.settings_action)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)

    # -- start state --------------------------------------------------------------------------
    def _apply_snapshot(self, snapshot: Snapshot) -> None:
        self.ports_model.set_rows(snapshot.ports)
        for port_id, history in snapshot.history.items():
            self.plot.backfill(port_id, history)
        self.alerts_model.add(snapshot.alerts)
        self.status.showMessage(f"Loaded {len(snapshot.ports)} ports", 4000)
        self._start_live()

    def _start_live(self) -> None:
        """Start following the feed: it holds everything committed since the app started."""
        if self._live or self._shut_down:
            return
        self._live = True
        self.bridge.start()
        self.clock.start()
        self.status.start()
        self.loaded.emit()

    def _ports_shown(self) -> None:
        """The port list was loaded (here or by the Ports tab): curves and greeting follow it."""
        ports = self.ports_model.rows()
        self.monitor_stack.setCurrentWidget(self.plot_box if ports else self.welcome)
        self.plot_panel.set_ports((port.id, port.name) for port in ports)

    def _add_first_device(self) -> None:
        self.workspace.setCurrentWidget(self.workspace.devices_tab)
        self.workspace.devices_tab.add()

    def _add_first_port(self) -> None:
        self.workspace.setCurrentWidget(self.workspace.ports_tab)
        self.workspace.ports_tab.add()

    # -- live updates -------------------------------------------------------------------------
    def apply_batch(self, batch: CommittedBatch) -> None:
        """Show one committed batch in the plot, the table, the alerts and the status bar."""
        self.status.count_readings(len(batch.readings))
        self.plot.append(batch.readings)
        unknown = self.ports_model.apply_batch(batch) - self._foreign_ports
        self.workspace.apply_batch(batch)  # devices' last reading
        mine = [alert for alert in batch.alerts if alert.user_id == self._user_id]
        self.alerts_model.add(alert_info(alert) for alert in mine)
        self.tray.notify(mine)
        if unknown:
            self._unknown_ports |= unknown
            self._reload_ports()

    def _reload_ports(self) -> None:
        """Load the port list again because readings named ports the table does not know."""
        if self._reloading or not self._unknown_ports:
            return
        self._reloading = True
        asked, self._unknown_ports = self._unknown_ports, set()
        self.worker.submit(
            "Loading new ports",
            lambda session: load_ports(session, self._user_id),
            partial(self._ports_reloaded, asked),
            on_error=lambda _message: self._ports_reloaded(asked, None),
        )

    def _ports_reloaded(self, asked: set[str], ports: list[WindowPort] | None) -> None:
        self._reloading = False
        if ports is not None:
            self.ports_model.set_rows(ports)
            foreign = asked - {port.id for port in ports}  # another user's, or deleted
            self._foreign_ports |= foreign
            self.plot.ignore(foreign)
            self.ports_reloaded.emit()
        self._reload_ports()  # ports that turned up meanwhile

    # -- user actions -------------------------------------------------------------------------
    def _port_status_set(self, _port_id: str, name: str, status: str) -> None:
        self.status.showMessage(f"{name} is {'on' if status == PortStatus.ACTIVE else 'off'}", 5000)

    def _port_status_failed(self, _port_id: str, message: str) -> None:
        self.status.showMessage(message, 10000)

    def _show_unread(self, unread: int) -> None:
        """The unread count in the title too, so it shows in the taskbar."""
        if unread:
            self.setWindowTitle(f"{WINDOW_TITLE} — {unread} unread alert{'s' * (unread != 1)}")
        else:
            self.setWindowTitle(WINDOW_TITLE)

    def _show_alerts(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.workspace.show_alerts()

    def mark_all_read(self) -> None:
        """Mark every alert shown so far as read, in the database and then here."""
        up_to = self.alerts_model.newest_id()
        if up_to is None:
            return
        self.alerts_panel.set_busy(True)
        self.worker.submit(
            "Marking alerts read",
            lambda session: mark_read_up_to(session, self._user_id, up_to),
            lambda _count: self._marked_read(up_to),
            on_error=lambda _message: self.alerts_panel.set_busy(False),
        )

    def _marked_read(self, up_to: int) -> None:
        self.alerts_model.mark_read(up_to)
        self.alerts_panel.set_busy(False)

    def _show_error(self, message: str) -> None:
        self.status.showMessage(message, 10000)

    # -- state and shutdown -------------------------------------------------------------------
    def _restore_state(self) -> None:
        settings = self._settings
        settings.beginGroup(SETTINGS_GROUP)
        try:
            version = int(str(settings.value("version", 0) or 0))
            if version == SETTINGS_VERSION and self.restoreGeometry(settings.value("geometry")):
                self.main_splitter.restoreState(settings.value("mainSplitter"))
                self.left_splitter.restoreState(settings.value("leftSplitter"))
                self.ports_panel.view.horizontalHeader().restoreState(
                    settings.value(PORTS_HEADER_KEY)
                )
                hidden = string_list(settings.value("hiddenPorts", []))
                self.plot_panel.restore(hidden, settings.value("logPower") in (True, "true"))
                return
        except (TypeError, ValueError):
            log.warning("ignoring unreadable window state in %s", settings.fileName())
        finally:
            settings.endGroup()
        # No usable state (first start, or an older layout): sensible defaults.
        self.resize(*DEFAULT_SIZE)
        self.main_splitter.setSizes([860, 340])
        self.left_splitter.setSizes([470, 250])

    def _save_state(self) -> None:
        settings = self._settings
        settings.beginGroup(SETTINGS_GROUP)
        settings.setValue("version", SETTINGS_VERSION)
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("mainSplitter", self.main_splitter.saveState())
        settings.setValue("leftSplitter", self.left_splitter.saveState())
        settings.setValue(PORTS_HEADER_KEY, self.ports_panel.view.horizontalHeader().saveState())
        hidden, log_power = self.plot_panel.state()
        settings.setValue("hiddenPorts", hidden)
        settings.setValue("logPower", log_power)
        settings.endGroup()
        settings.sync()

    def shutdown(self) -> None:
        """Stop the timers, save the layout and wait for the worker; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self.bridge.stop()
        self.clock.stop()
        self.status.stop()
        self.tray.hide()
        self.serial.close()
        self.history.close()
        self.plugs.close()
        self._save_state()
        self.worker.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
