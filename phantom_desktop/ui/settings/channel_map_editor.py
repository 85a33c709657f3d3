"""Which port each emonTx channel (P1…P12) or Modbus meter address (1…247) measures.

One row per channel: the channel (or address), the port it feeds, and a remove button. JSON-lines
meters need no mapping (each line names its port), so the editor then only says so.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.core.natural_sort import natural_key
from phantom_desktop.ingest.serial.config import EMONTX_CHANNELS, MAX_MODBUS_ADDRESS
from phantom_desktop.store.serial_choices import PortChoice
from phantom_desktop.ui.common.widgets import muted_label
from phantom_desktop.ui.settings.serial_labels import is_modbus

JSONL_NOTE = "Each line this meter sends names its port (portId), so there is nothing to map."


def _number(key: str) -> int:
    return int(key.removeprefix("P"))


class MappingRow(QWidget):
    """Channel (or meter address) → port, with a button that removes the row."""

    changed = Signal()
    remove_requested = Signal(object)  # self

    def __init__(self, protocol: str, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.modbus = is_modbus(protocol)
        if self.modbus:
            self.key_widget: QSpinBox | QComboBox = QSpinBox()
            self.key_widget.setRange(1, MAX_MODBUS_ADDRESS)
            self.key_widget.setPrefix("Address ")
            self.key_widget.setValue(min(number, MAX_MODBUS_ADDRESS))
            self.key_widget.valueChanged.connect(self.changed)
        else:
            self.key_widget = QComboBox()
            self.key_widget.addItems([f"P{i}" for i in range(1, EMONTX_CHANNELS + 1)])
            self.key_widget.setCurrentIndex(min(number, EMONTX_CHANNELS) - 1)
            self.key_widget.currentIndexChanged.connect(self.changed)
        self.key_widget.setToolTip(
            "The meter's Modbus address (set on the meter)" if self.modbus else "The CT input"
        )
        self.port_combo = QComboBox()
        self.port_combo.setPlaceholderText("Choose a port…")
        self.port_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.port_combo.currentIndexChanged.connect(self.changed)
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Remove this row")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.key_widget)
        layout.addWidget(QLabel("→"))
        layout.addWidget(self.port_combo, 1)
        layout.addWidget(self.remove_button)

    @property
    def number(self) -> int:
        widget = self.key_widget
        return widget.value() if isinstance(widget, QSpinBox) else widget.currentIndex() + 1

    @property
    def key(self) -> str:
        return str(self.number) if self.modbus else f"P{self.number}"

    @property
    def what(self) -> str:
        return f"meter address {self.number}" if self.modbus else f"channel P{self.number}"

    def port_id(self) -> str | None:
        return self.port_combo.currentData()

    def set_ports(self, ports: list[PortChoice], device_id: str | None, selected: str | None):
        """List the device's ports first, then the others; keep (or set) the selection."""
        combo = self.port_combo
        combo.blockSignals(True)
        combo.clear()
        ordered = sorted(ports, key=lambda p: (p.device_id != device_id, natural_key(p.label)))
        for port in ordered:
            combo.addItem(port.label, port.id)
        if selected is not None and combo.findData(selected) < 0:
            combo.addItem(f"Unknown port {selected}", selected)
        combo.setCurrentIndex(combo.findData(selected) if selected is not None else -1)
        combo.blockSignals(False)


class ChannelMapEditor(QWidget):
    """Rows of channel → port for one protocol; `channels()` and `problem()` for the editor."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._protocol = "jsonl"
        self._ports: list[PortChoice] = []
        self._device_id: str | None = None
        self.rows: list[MappingRow] = []
        self.note = muted_label(JSONL_NOTE)
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add_row)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(self._rows_layout)
        layout.addLayout(buttons)
        self._show_protocol()

    # -- what the editor reads ------------------------------------------------------------------
    def channels(self) -> dict[str, str]:
        """The rows that name a port, keyed like the settings ("P1", "3")."""
        if self._protocol == "jsonl":
            return {}
        return {row.key: port for row in self.rows if (port := row.port_id()) is not None}

    def problem(self) -> str | None:
        """What keeps the rows from being a mapping: a row without a port, a key used twice."""
        if self._protocol == "jsonl":
            return None
        seen: set[str] = set()
        for row in self.rows:
            if row.port_id() is None:
                return f"Choose the port that {row.what} measures, or remove that row."
            if row.key in seen:
                return f"{row.what.capitalize()} is listed twice."
            seen.add(row.key)
        return None

    # -- what the editor sets -------------------------------------------------------------------
    def set_protocol(self, protocol: str) -> None:
        """Switch between channels and addresses, keeping the rows' numbers and ports."""
        if protocol == self._protocol:
            return
        kept = [(row.number, row.port_id()) for row in self.rows]
        if not kept and self._protocol == "jsonl":
            kept = [(1, None)]  # a first row to fill in
        self._protocol = protocol
        self._clear()
        if protocol != "jsonl":
            for number, port_id in kept:
                self._append(number, port_id)
        self._show_protocol()
        self.changed.emit()

    def set_channels(self, channels: dict[str, str]) -> None:
        self._clear()
        for key, port_id in channels.items():
            self._append(_number(key), port_id)
        self.changed.emit()

    def set_ports(self, ports: list[PortChoice], device_id: str | None) -> None:
        """The user's ports, the chosen device's first; rows keep their selections."""
        self._ports, self._device_id = ports, device_id
        for row in self.rows:
            row.set_ports(ports, device_id, row.port_id())

    def add_row(self) -> None:
        """A new row for the next unused channel or address."""
        used = {row.number for row in self.rows}
        limit = MAX_MODBUS_ADDRESS if is_modbus(self._protocol) else EMONTX_CHANNELS
        number = next((n for n in range(1, limit + 1) if n not in used), limit)
        row = self._append(number, None)
        row.port_combo.setFocus()
        self.changed.emit()

    # -- rows -----------------------------------------------------------------------------------
    def _append(self, number: int, port_id: str | None) -> MappingRow:
        row = MappingRow(self._protocol, number, self)
        row.set_ports(self._ports, self._device_id, port_id)
        row.changed.connect(self.changed)
        row.remove_requested.connect(self._remove)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        self._update_add_button()
        return row

    def _remove(self, row: MappingRow) -> None:
        self.rows.remove(row)
        self._rows_layout.removeWidget(row)
        row.deleteLater()
        self._update_add_button()
        self.changed.emit()

    def _clear(self) -> None:
        for row in self.rows:
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []

    def _show_protocol(self) -> None:
        jsonl = self._protocol == "jsonl"
        self.note.setVisible(jsonl)
        self.add_button.setVisible(not jsonl)
        self.add_button.setText("Add meter address" if is_modbus(self._protocol) else "Add channel")
        self._update_add_button()

    def _update_add_button(self) -> None:
        full = not is_modbus(self._protocol) and len(self.rows) >= EMONTX_CHANNELS
        self.add_button.setEnabled(not full)
