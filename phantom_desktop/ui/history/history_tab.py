"""The History tab: any range of any ports, panned and zoomed with the mouse, exported.

Presets (hour to year) and a custom range set the view; dragging and the wheel pan and zoom it,
and each settled view (150 ms without change) is re-loaded at the resolution its span needs.
Loads run on the window's database worker; stale ones are dropped; a long one shows a bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.core.natural_sort import natural_key
from phantom_desktop.store.history_queries import Resolution, user_ports
from phantom_desktop.ui.history.history_loader import HistoryLoader, Loaded
from phantom_desktop.ui.history.history_plot import HistoryPlot

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from phantom_desktop.ui.tasks import DbWorker

PRESETS = (("Hour", 3600), ("Day", 86400), ("Week", 7 * 86400), ("Month", 30 * 86400),
           ("Year", 365 * 86400))  # fmt: skip
SETTLE_MS = 150
PROGRESS_AFTER_MS = 300
RESOLUTION_CHOICES = (("Auto resolution", Resolution.AUTO), ("Raw readings", Resolution.RAW),
                      ("1 minute", Resolution.MINUTE), ("1 hour", Resolution.HOUR))  # fmt: skip
RESOLUTION_NAMES = {Resolution.RAW: "raw readings", Resolution.MINUTE: "1-minute rollups",
                    Resolution.HOUR: "1-hour rollups"}  # fmt: skip


def _single_shot(parent: QWidget, interval_ms: int) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    return timer


class HistoryTab(QWidget):
    """Plot, presets, custom range, per-port toggles, resolution, log axis, export."""

    export_requested = Signal(list, float, float)  # port (id, name) pairs, start, end

    def __init__(
        self,
        worker: DbWorker,
        user_id: str,
        color_of: Callable[[str], QColor],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._user_id = user_id
        self._color_of = color_of
        self._ports: list[tuple[str, str]] = []
        self._loader = HistoryLoader(worker, self)
        self._loader.loaded.connect(self._show)
        self._loader.progress.connect(self._progress)
        self._loader.failed.connect(self._failed)
        self.plot = HistoryPlot(color_of)
        self.plot.range_changed.connect(self._view_moved)
        self._settle = _single_shot(self, SETTLE_MS)
        self._settle.timeout.connect(self.reload)
        self._bar_timer = _single_shot(self, PROGRESS_AFTER_MS)
        self._bar_timer.timeout.connect(self._show_bar)
        self._build()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        self.presets = QButtonGroup(self)
        for index, (name, _span) in enumerate(PRESETS):
            button = QPushButton(name)
            button.setCheckable(True)
            button.setToolTip(f"The last {name.lower()} up to now")
            self.presets.addButton(button, index)
            top.addWidget(button)
        self.presets.idClicked.connect(self.show_preset)
        top.addStretch(1)
        custom = QHBoxLayout()  # a second row keeps the window's minimum width small
        self.start_edit = QDateTimeEdit()
        self.end_edit = QDateTimeEdit()
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
        apply = QPushButton("Show range")
        apply.setToolTip("Show the range between the two times")
        apply.clicked.connect(self._apply_custom)
        custom.addWidget(QLabel("From"))
        custom.addWidget(self.start_edit)
        custom.addWidget(QLabel("to"))
        custom.addWidget(self.end_edit)
        custom.addWidget(apply)
        custom.addStretch(1)
        self.resolution = QComboBox()
        for label, value in RESOLUTION_CHOICES:
            self.resolution.addItem(label, value)
        self.resolution.currentIndexChanged.connect(self.reload)
        self.log_axis = QCheckBox("Log axis")
        self.log_axis.setToolTip("Logarithmic power axis: 0.5 W standby beside a 2 kW kettle")
        self.log_axis.toggled.connect(self.plot.set_log)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self._export)
        self.image_button = QPushButton("Save image…")
        self.image_button.setToolTip("Save the plot as PNG or SVG")
        self.image_button.clicked.connect(self._save_image)
        top.addWidget(self.resolution)
        top.addWidget(self.log_axis)
        custom.addWidget(self.export_button)
        custom.addWidget(self.image_button)

        self.port_list = QListWidget()
        self.port_list.setMaximumWidth(200)
        self.port_list.setMinimumWidth(80)
        self.port_list.itemChanged.connect(self._toggled)
        split = QSplitter()
        split.addWidget(self.port_list)
        split.addWidget(self.plot)
        split.setStretchFactor(1, 1)

        bottom = QHBoxLayout()
        self.status = QLabel("Drag to pan, wheel to zoom; the resolution follows the span.")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.bar.setVisible(False)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.bar)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(custom)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

    # -- ports -------------------------------------------------------------------------------
    def refresh_ports(self) -> None:
        """Re-read the user's ports (names, new ones), then reload the view."""
        user_id = self._user_id

        def task(session: Session) -> list[tuple[str, str]]:
            return user_ports(session.connection(), user_id)

        self._worker.submit("Listing ports", task, self._set_ports)

    def _set_ports(self, ports: list[tuple[str, str]]) -> None:
        hidden = {self.port_list.item(i).data(Qt.ItemDataRole.UserRole)
                  for i in range(self.port_list.count())
                  if self.port_list.item(i).checkState() != Qt.CheckState.Checked}  # fmt: skip
        ports = sorted(ports, key=lambda port: (natural_key(port[1]), port[0]))
        self._ports = ports
        self.plot.set_port_names(dict(ports))
        self.port_list.blockSignals(True)
        self.port_list.clear()
        for port_id, name in ports:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, port_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Unchecked if port_id in hidden else Qt.CheckState.Checked
            )
            swatch = QPixmap(12, 12)
            swatch.fill(self._color_of(port_id))
            item.setIcon(QIcon(swatch))
            self.port_list.addItem(item)
            self.plot.set_visible(port_id, port_id not in hidden)
        self.port_list.blockSignals(False)
        if self.presets.checkedId() < 0 and not self._loader.busy:
            self.show_preset(1)
        else:
            self.reload()

    def _toggled(self, item: QListWidgetItem) -> None:
        visible = item.checkState() == Qt.CheckState.Checked
        self.plot.set_visible(item.data(Qt.ItemDataRole.UserRole), visible)

    def visible_ports(self) -> list[tuple[str, str]]:
        shown = []
        for i in range(self.port_list.count()):
            item = self.port_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                shown.append((item.data(Qt.ItemDataRole.UserRole), item.text()))
        return shown

    # -- ranges ------------------------------------------------------------------------------
    def show_preset(self, index: int) -> None:
        button = self.presets.button(index)
        if button is not None:
            button.setChecked(True)
        now = time.time()
        self._go(now - PRESETS[index][1], now)

    def _apply_custom(self) -> None:
        start = self.start_edit.dateTime().toSecsSinceEpoch()
        end = self.end_edit.dateTime().toSecsSinceEpoch()
        if end <= start:
            self.status.setText("The end of the range must be after its start.")
            return
        self._uncheck_presets()
        self._go(float(start), float(end))

    def _uncheck_presets(self) -> None:
        checked = self.presets.checkedButton()
        if checked is not None:
            self.presets.setExclusive(False)
            checked.setChecked(False)
            self.presets.setExclusive(True)

    def _go(self, start: float, end: float) -> None:
        self.plot.show_range(start, end)
        self._sync_edits(start, end)
        self.reload()

    def _sync_edits(self, start: float, end: float) -> None:
        for edit, value in ((self.start_edit, start), (self.end_edit, end)):
            edit.blockSignals(True)
            edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(value)))
            edit.blockSignals(False)

    def _view_moved(self, start: float, end: float) -> None:
        self._uncheck_presets()
        self._sync_edits(start, end)
        self._settle.start()

    def reload(self) -> None:
        """Load the visible range at the chosen (or automatic) resolution."""
        if not self._ports:
            return
        start, end = self.plot.view_range()
        self._loader.load([p for p, _n in self._ports], start, end, self.resolution.currentData())
        self._bar_timer.start()

    # -- results -----------------------------------------------------------------------------
    def _show(self, loaded: Loaded) -> None:
        self._bar_timer.stop()
        self.bar.setVisible(False)
        self.plot.show_series(loaded.series)
        self.plot.show_episodes(loaded.lanes)
        first = datetime.fromtimestamp(loaded.start).strftime("%Y-%m-%d %H:%M")
        last = datetime.fromtimestamp(loaded.end).strftime("%Y-%m-%d %H:%M")
        self.status.setText(
            f"{first} – {last}: {RESOLUTION_NAMES[loaded.resolution]}, "
            f"{loaded.points:,} points. Orange: phantom episodes; grey: cut, until power "
            "came back."
        )

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _show_bar(self) -> None:
        if self._loader.busy:
            self.bar.setVisible(True)

    def _failed(self, message: str) -> None:
        self._bar_timer.stop()
        self.bar.setVisible(False)
        self.status.setText(message)

    # -- export ------------------------------------------------------------------------------
    def _export(self) -> None:
        start, end = self.plot.view_range()
        self.export_requested.emit(self.visible_ports(), start, end)

    def _save_image(self) -> None:
        from phantom_desktop.ui.history.plot_image import save_plot_image

        save_plot_image(self, self.plot)
