"""Puts the History and Energy tabs into the window and keeps them current.

The tabs load when first shown and again when shown after the ports or the energy settings
changed; the History tab's export runs on its own thread over the services' engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from phantom_desktop.app import Services, apply_energy_settings
from phantom_desktop.config import ConfigError, load_settings
from phantom_desktop.core.tariff import Tariff
from phantom_desktop.ui.energy.energy_tab import EnergyTab
from phantom_desktop.ui.history.export_dialog import run_export
from phantom_desktop.ui.history.export_job import ExportJob
from phantom_desktop.ui.history.history_tab import HistoryTab

if TYPE_CHECKING:
    from datetime import tzinfo

    from phantom_desktop.ui.common.palette import PortColors
    from phantom_desktop.ui.tasks import DbWorker
    from phantom_desktop.ui.workspace import Workspace


class HistoryViews(QObject):
    def __init__(
        self,
        window: QMainWindow,
        services: Services,
        worker: DbWorker,
        colors: PortColors,
        workspace: Workspace,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._workspace = workspace
        self.history_tab = HistoryTab(worker, services.user_id, colors.color)
        self.energy_tab = EnergyTab(worker, services.user_id, self._tariff)
        self._stale = {self.history_tab, self.energy_tab}
        self.export_job: ExportJob | None = None
        workspace.addTab(self.history_tab, "History")
        workspace.addTab(self.energy_tab, "Energy")
        workspace.setTabToolTip(workspace.indexOf(self.history_tab),
                                "Power of any ports over any range; export")  # fmt: skip
        workspace.setTabToolTip(workspace.indexOf(self.energy_tab),
                                "What standby costs, where, and what cuts saved")  # fmt: skip
        workspace.currentChanged.connect(self._shown)
        self.history_tab.export_requested.connect(self._export)

    def _tariff(self) -> tuple[Tariff, tzinfo]:
        settings = self._services.settings
        return settings.tariff(), settings.zone()

    def ports_changed(self) -> None:
        """Names or ports changed: reload the tabs when they are next shown (now if visible)."""
        self._stale = {self.history_tab, self.energy_tab}
        self._shown(self._workspace.currentIndex())

    def settings_saved(self) -> None:
        """Settings were saved: the tariff and retention take effect, the figures follow."""
        try:
            apply_energy_settings(self._services, load_settings(self._services.paths))
        except ConfigError:
            return  # the dialog refused to save what it could not read back
        self._stale.add(self.energy_tab)
        self._shown(self._workspace.currentIndex())

    def _shown(self, index: int) -> None:
        widget = self._workspace.widget(index)
        if widget not in self._stale:
            return
        self._stale.discard(widget)
        if widget is self.history_tab:
            self.history_tab.refresh_ports()
        elif widget is self.energy_tab:
            self.energy_tab.refresh()

    def _export(self, ports: list[tuple[str, str]], start: float, end: float) -> None:
        if self.export_job is not None and self.export_job.isRunning():
            return
        self.export_job = run_export(self._window, self._services.engine, ports, start, end)

    def close(self) -> None:
        """The window closes: cancel a running export and wait for its thread."""
        if self.export_job is not None and self.export_job.isRunning():
            self.export_job.cancel()
            self.export_job.wait()
