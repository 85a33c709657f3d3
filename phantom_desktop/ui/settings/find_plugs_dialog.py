"""Find plugs…: listen on the broker for a few seconds, list the plugs heard, and assign the one
the user picks to a device, channel by channel, without typing topics.

Discovery runs on a thread of its own; its result comes back to the GUI thread by a queued
signal. The dialog's `plug` is the new plug's settings entry once accepted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.ingest.mqtt.config import BrokerConfig, MqttConfigError, PlugConfig
from phantom_desktop.ingest.mqtt.discovery import DEFAULT_SECONDS, DiscoveryError, discover
from phantom_desktop.ingest.mqtt.events import FoundPlug
from phantom_desktop.store.serial_choices import Choices
from phantom_desktop.ui.common import palette
from phantom_desktop.ui.common.widgets import muted_label

KIND_NAMES = {"tasmota": "Tasmota", "shelly": "Shelly", "z2m": "Zigbee (zigbee2mqtt)"}
COLUMNS = ("Plug", "Kind", "Channels", "Model", "Topic")
FIXED_ROWS = 3  # name, device, report interval; then one row per channel
TELE_PERIOD_S = 10


def channel_name(kind: str, channel: int) -> str:
    return f"Switch {channel}" if kind == "shelly" else f"Relay {channel}"


@dataclass(frozen=True)
class _Heard:
    plugs: list[FoundPlug]
    error: str


class _Listener(QObject):
    """Runs discovery on a thread; `done` is delivered on the GUI thread."""

    done = Signal(object)  # _Heard

    def listen(self, broker: BrokerConfig, seconds: float) -> None:
        def run() -> None:
            try:
                self.done.emit(_Heard(discover(broker, seconds), ""))
            except (DiscoveryError, OSError, ValueError) as exc:
                self.done.emit(_Heard([], str(exc)))

        threading.Thread(target=run, name="mqtt-discovery", daemon=True).start()


class FindPlugsDialog(QDialog):
    def __init__(
        self,
        broker: BrokerConfig,
        choices: Choices,
        taken: set[tuple[str, str]],
        seconds: float = DEFAULT_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        """`taken`: (kind, topic) of the plugs already configured, shown but not offered."""
        super().__init__(parent)
        self.setWindowTitle("Find plugs")
        self.setObjectName("findPlugsDialog")
        self._broker, self._choices, self._taken = broker, choices, taken
        self._seconds = seconds
        self._found: list[FoundPlug] = []
        self._port_combos: dict[int, QComboBox] = {}
        self.plug: dict[str, object] | None = None
        self._listener = _Listener(self)
        self._listener.done.connect(self._heard)
        self._build()
        self.listen()

    def _build(self) -> None:
        self.status_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("foundPlugsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.again_button = QPushButton("Listen &again")
        self.again_button.clicked.connect(self.listen)

        self.name_edit = QLineEdit()
        self.device_combo = QComboBox()
        self.device_combo.setPlaceholderText("Choose a device…")
        for device in self._choices.devices:
            self.device_combo.addItem(device.name, device.id)
        self.device_combo.currentIndexChanged.connect(self._device_chosen)
        self.tele_check = QCheckBox("Have the plug report every 10 s (Tasmota's default is 5 min)")
        self.tele_check.setChecked(True)
        self.tele_check.setToolTip("Sets TelePeriod 10 on the plug each time the app connects")
        self.assign_form = QFormLayout()
        self.assign_form.addRow("&Name:", self.name_edit)
        self.assign_form.addRow("&Device:", self.device_combo)
        self.assign_form.addRow(self.tele_check)
        self.assign_box = QWidget()
        self.assign_box.setLayout(self.assign_form)
        self.assign_box.setEnabled(False)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(palette.error_style())
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.add_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("&Add plug")
        self.add_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.again_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(muted_label("Pick a plug, then the port each of its channels measures."))
        layout.addWidget(self.assign_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(900, 540)

    # -- listening --------------------------------------------------------------------------------
    def listen(self) -> None:
        self.again_button.setEnabled(False)
        self.progress.show()
        self.status_label.setText(f"Listening on {self._broker.url} for {self._seconds:g} s…")
        self._listener.listen(self._broker, self._seconds)

    def _heard(self, heard: _Heard) -> None:
        self.progress.hide()
        self.again_button.setEnabled(True)
        if heard.error:
            self.status_label.setText(f"Could not listen: {heard.error}")
            return
        self._found = heard.plugs
        count = len(heard.plugs)
        self.status_label.setText(
            f"Heard {count} plug{'s' if count != 1 else ''} on {self._broker.url}."
            if count
            else "No plugs heard. Is the plug on this broker, and MQTT enabled on it?"
        )
        self.table.setRowCount(count)
        for row, plug in enumerate(heard.plugs):
            taken = (plug.kind, plug.topic) in self._taken
            name = plug.name + (" (offline)" if plug.online is False else "")
            cells = [
                name + (" — already added" if taken else ""),
                KIND_NAMES.get(plug.kind, plug.kind),
                ", ".join(channel_name(plug.kind, c) for c in plug.channels),
                plug.model,
                plug.topic,
            ]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if taken:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()

    # -- assigning --------------------------------------------------------------------------------
    def selected_plug(self) -> FoundPlug | None:
        rows = self.table.selectionModel().selectedRows()
        return self._found[rows[0].row()] if rows else None

    def _selected(self) -> None:
        plug = self.selected_plug()
        while self.assign_form.rowCount() > FIXED_ROWS:
            self.assign_form.removeRow(FIXED_ROWS)
        self._port_combos.clear()
        self.assign_box.setEnabled(plug is not None)
        if plug is None:
            self._update_add()
            return
        self.name_edit.setText(plug.name)
        self.tele_check.setVisible(plug.kind == "tasmota")
        for channel in plug.channels:
            combo = QComboBox()
            combo.setPlaceholderText("Not measured")
            combo.currentIndexChanged.connect(self._update_add)
            self._port_combos[channel] = combo
            self.assign_form.addRow(f"{channel_name(plug.kind, channel)} →", combo)
        self._device_chosen()

    def _device_chosen(self) -> None:
        """Offer the device's ports for each channel; propose one only when the plug is named
        after it (a "TV plug" measures the TV), never by position."""
        device_id = self.device_combo.currentData()
        ports = [p for p in self._choices.ports if p.device_id == device_id]
        plug_name = self.name_edit.text().lower()
        named = [i for i, p in enumerate(ports) if p.name.lower() in plug_name]
        for combo in self._port_combos.values():
            combo.blockSignals(True)
            combo.clear()
            for port in ports:
                combo.addItem(port.name, port.id)
            single = len(self._port_combos) == 1 and len(named) == 1
            combo.setCurrentIndex(named[0] if single else -1)
            combo.blockSignals(False)
        self._update_add()

    def _update_add(self) -> None:
        mapped = any(c.currentIndex() >= 0 for c in self._port_combos.values())
        self.add_button.setEnabled(mapped and self.device_combo.currentIndex() >= 0)

    def accept(self) -> None:
        plug = self.selected_plug()
        if plug is None:
            return
        entry = {
            "name": self.name_edit.text().strip(),
            "kind": plug.kind,
            "topic": plug.topic,
            "device_id": self.device_combo.currentData(),
            "channels": {
                str(channel): combo.currentData()
                for channel, combo in self._port_combos.items()
                if combo.currentIndex() >= 0
            },
        }
        if plug.kind == "tasmota" and self.tele_check.isChecked():
            entry["tele_period_s"] = TELE_PERIOD_S
        try:
            self.plug = PlugConfig.from_dict(entry).to_dict()
        except MqttConfigError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        super().accept()
