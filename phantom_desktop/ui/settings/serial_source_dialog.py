"""The dialog that adds or edits one serial meter: port, protocol, baud, device, channel map.

Checked with `SerialSourceConfig.from_dict` (and against the other meters' names and ports);
what is wrong shows under the form in words the form uses. The port list comes from a scan on
its own thread.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.ingest.serial.config import (
    DEFAULT_BAUDRATES,
    DEFAULT_POLL_INTERVAL_S,
    MAX_POLL_INTERVAL_S,
    SerialConfigError,
    SerialSourceConfig,
    UsbMatch,
    parse_source_configs,
)
from phantom_desktop.ingest.serial.discovery import SerialPortInfo
from phantom_desktop.ingest.serial.source_list import measured_twice
from phantom_desktop.store.serial_choices import Choices
from phantom_desktop.ui.common import palette
from phantom_desktop.ui.settings.channel_map_editor import ChannelMapEditor
from phantom_desktop.ui.settings.serial_labels import PROTOCOL_NAMES, is_modbus
from phantom_desktop.ui.settings.serial_port_scanner import PortScanner

COMMON_BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
PATH_PLACEHOLDER = "/dev/ttyUSB0, COM3, /dev/pts/5 or socket://host:4000"
# Setting keys as the form names them, for from_dict's messages.
FIELD_WORDS = {
    "'name'": "the name",
    "'port'": "the port",
    "'usb'": "the USB adapter",
    "'baudrate'": "the baud rate",
    "'device_id'": "the device",
    "'channels'": "the channel map",
    "'poll_interval_s'": "the poll interval",
}
_PREFIX = re.compile(r"^(serial_sources\[\d+\]: )?serial source( '[^']*')?: ")


def friendly(message: str) -> str:
    """A SerialConfigError message without the source's name, in the form's words."""
    message = _PREFIX.sub("", message)
    for key, words in FIELD_WORDS.items():
        message = message.replace(key, words)
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


class SerialSourceEditor(QDialog):
    """Edits one source; after `accepted`, `config` holds the validated result."""

    def __init__(
        self,
        choices: Choices,
        others: list[dict],
        entry: dict | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`others`: the other configured sources, whose names and ports this one must not take;
        `entry`: the stored source to edit (None for a new one)."""
        super().__init__(parent)
        self.setWindowTitle("Edit serial meter" if entry else "Add serial meter")
        self.config: SerialSourceConfig | None = None
        self._choices = choices
        self._others = [e for e in others if _valid(e)]
        self._usb: UsbMatch | None = None
        # A stored baud rate other than its protocol's default was chosen: keep it.
        self._baud_touched = entry is not None and entry.get("baudrate") not in (
            None,
            DEFAULT_BAUDRATES.get(str(entry.get("protocol"))),
        )
        self._checking = False
        self._build()
        self._load(entry or {})
        self.scanner = PortScanner(self)
        self.scanner.found.connect(self._show_ports)
        self.scanner.failed.connect(self._scan_failed)
        self.refresh_ports()

    # -- form -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Kitchen PZEM")
        self.protocol_combo = QComboBox()
        for protocol, label in PROTOCOL_NAMES.items():
            self.protocol_combo.addItem(label, protocol)
        self.detected_combo = QComboBox()
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Look for serial ports again (after plugging in an adapter)")
        self.refresh_button.clicked.connect(self.refresh_ports)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(PATH_PLACEHOLDER)
        self.path_edit.setToolTip(
            "A device path or a pyserial URL. Virtual ports (/dev/pts/N, com0com) are not"
            " detected: type them here."
        )
        self.usb_check = QCheckBox()
        self.baud_combo = QComboBox()
        self.baud_combo.setEditable(True)
        self.baud_combo.addItems([str(rate) for rate in COMMON_BAUDRATES])
        self.baud_combo.setValidator(QIntValidator(1, 4_000_000, self))
        self.device_combo = QComboBox()
        self.poll_spin = QDoubleSpinBox()
        self.poll_spin.setRange(0.1, MAX_POLL_INTERVAL_S)
        self.poll_spin.setDecimals(1)
        self.poll_spin.setSingleStep(0.5)
        self.poll_spin.setSuffix(" s")
        self.enabled_check = QCheckBox("Read this meter")
        self.map_editor = ChannelMapEditor()
        self.map_box = QGroupBox()
        QVBoxLayout(self.map_box).addWidget(self.map_editor)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(palette.error_style())
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        detected = QHBoxLayout()
        detected.addWidget(self.detected_combo, 1)
        detected.addWidget(self.refresh_button)
        self.form = QFormLayout()
        self.form.addRow("&Name:", self.name_edit)
        self.form.addRow("&Meter:", self.protocol_combo)
        port_label = QLabel("&Port:")
        port_label.setBuddy(self.detected_combo)
        self.form.addRow(port_label, detected)
        self.form.addRow("Path or &URL:", self.path_edit)
        self.form.addRow("", self.usb_check)
        self.form.addRow("&Baud rate:", self.baud_combo)
        self.form.addRow("&Device:", self.device_combo)
        self.form.addRow("P&oll every:", self.poll_spin)
        self.form.addRow("", self.enabled_check)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.map_box)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.protocol_combo.currentIndexChanged.connect(self._protocol_changed)
        self.detected_combo.activated.connect(self._detected_chosen)
        self.path_edit.textEdited.connect(self._path_typed)
        baud_edit = self.baud_combo.lineEdit()
        assert baud_edit is not None  # the combo is editable
        baud_edit.textEdited.connect(self._baud_edited)
        self.baud_combo.activated.connect(self._baud_edited)
        self.device_combo.currentIndexChanged.connect(self._device_changed)
        for signal in (
            self.name_edit.textChanged,
            self.path_edit.textChanged,
            self.usb_check.toggled,
            self.baud_combo.currentTextChanged,
            self.poll_spin.valueChanged,
            self.enabled_check.toggled,
            self.map_editor.changed,
        ):
            signal.connect(self._recheck)

    def _load(self, entry: dict) -> None:
        """Fill the form from a stored source (which may be incomplete or invalid)."""
        self.name_edit.setText(str(entry.get("name", "")))
        protocol = entry.get("protocol") if entry.get("protocol") in PROTOCOL_NAMES else "pzem"
        self.protocol_combo.setCurrentIndex(self.protocol_combo.findData(protocol))
        self._protocol_changed()
        self.path_edit.setText(str(entry.get("port", "")))
        try:
            self._usb = UsbMatch.from_dict(entry["usb"]) if entry.get("usb") else None
        except ValueError:
            self._usb = None
        self.usb_check.setChecked(self._usb is not None)
        self._show_usb()
        baud = entry.get("baudrate", DEFAULT_BAUDRATES[str(protocol)])
        self.baud_combo.setCurrentText(str(baud))
        self._fill_devices(entry.get("device_id"))
        self.poll_spin.setValue(float(entry.get("poll_interval_s", DEFAULT_POLL_INTERVAL_S)))
        self.enabled_check.setChecked(entry.get("enabled", True) is not False)
        channels = entry.get("channels")
        if isinstance(channels, dict) and channels:
            self.map_editor.set_channels({str(k): str(v) for k, v in channels.items()})

    def _fill_devices(self, selected: object) -> None:
        combo = self.device_combo
        for device in self._choices.devices:
            combo.addItem(device.name, device.id)
        if isinstance(selected, str) and selected and combo.findData(selected) < 0:
            combo.addItem(f"Unknown device {selected}", selected)
        combo.setPlaceholderText(
            "Choose the device this meter belongs to"
            if combo.count()
            else "No devices yet: add one first (phantom-desktop device add NAME)"
        )
        combo.setCurrentIndex(combo.findData(selected) if isinstance(selected, str) else -1)
        self._device_changed()

    # -- reactions ------------------------------------------------------------------------------
    def _protocol_changed(self) -> None:
        protocol = self.protocol() or "pzem"
        if not self._baud_touched:
            self.baud_combo.setCurrentText(str(DEFAULT_BAUDRATES[protocol]))
        modbus = is_modbus(protocol)
        self.form.setRowVisible(self.poll_spin, modbus)
        self.map_box.setTitle(
            "Meter addresses → ports"
            if modbus
            else ("Channels → ports" if protocol == "emontx" else "Ports")
        )
        self.map_editor.set_protocol(protocol)

    def _baud_edited(self, *_args: object) -> None:
        self._baud_touched = True

    def _device_changed(self) -> None:
        self.map_editor.set_ports(self._choices.ports, self.device_combo.currentData())
        self._recheck()

    def refresh_ports(self) -> None:
        """Scan for serial ports on the scanner's thread."""
        if self.scanner.scan():
            self.detected_combo.clear()
            self.detected_combo.setPlaceholderText("Looking for serial ports…")
            self.detected_combo.setEnabled(False)
            self.refresh_button.setEnabled(False)

    def _show_ports(self, ports: list[SerialPortInfo]) -> None:
        self.refresh_button.setEnabled(True)
        combo = self.detected_combo
        for info in ports:
            combo.addItem(info.label, info)
        combo.setEnabled(bool(ports))
        combo.setPlaceholderText(
            "Choose a detected port…" if ports else "No serial ports detected: type a path below"
        )
        combo.setCurrentIndex(-1)

    def _scan_failed(self, message: str) -> None:
        self.refresh_button.setEnabled(True)
        self.detected_combo.setPlaceholderText(message)

    def _detected_chosen(self, index: int) -> None:
        info: SerialPortInfo = self.detected_combo.itemData(index)
        self.path_edit.setText(info.device)
        self._usb = info.usb
        self.usb_check.setChecked(info.usb is not None)
        self._show_usb()

    def _path_typed(self) -> None:
        """A typed path is a path: no longer the detected adapter's USB identity."""
        if self._usb is not None and self.usb_check.isChecked():
            self.usb_check.setChecked(False)

    def _show_usb(self) -> None:
        if self._usb is not None:
            self.usb_check.setText(f"Find this USB adapter ({self._usb}) if its path changes")
        self.form.setRowVisible(self.usb_check, self._usb is not None)

    def _recheck(self) -> None:
        """After a refused OK, say at once whether the change fixed it."""
        if self._checking:
            self._validate()

    # -- result ---------------------------------------------------------------------------------
    def protocol(self) -> str | None:
        return self.protocol_combo.currentData()

    def entry(self) -> dict:
        """The form as a settings entry (not validated)."""
        protocol = self.protocol() or "pzem"
        data: dict = {
            "name": self.name_edit.text(),
            "port": self.path_edit.text(),
            "protocol": protocol,
            "device_id": self.device_combo.currentData() or "",
            "channels": self.map_editor.channels(),
            "enabled": self.enabled_check.isChecked(),
        }
        baud = self.baud_combo.currentText().strip()
        data["baudrate"] = int(baud) if baud.isdigit() else baud
        if is_modbus(protocol):
            data["poll_interval_s"] = round(self.poll_spin.value(), 3)
        if self._usb is not None and self.usb_check.isChecked():
            data["usb"] = self._usb.to_dict()
        return data

    def _validate(self) -> SerialSourceConfig | None:
        """The config, or None with the reason shown under the form."""
        message, config = None, None
        try:
            config = SerialSourceConfig.from_dict(self.entry())
            parse_source_configs([*self._others, config.to_dict()])
        except SerialConfigError as exc:
            message, config = friendly(str(exc)), None
        else:
            message = measured_twice(config, self._others)
            if message:
                message, config = friendly(message), None
        map_problem = self.map_editor.problem()  # more precise than "must map at least one"
        if map_problem and (message is None or "channel" in message):
            message, config = map_problem, None
        self.error_label.setText(message or "")
        self.error_label.setVisible(message is not None)
        return config

    def accept(self) -> None:
        self._checking = True
        config = self._validate()
        if config is not None:
            self.config = config
            super().accept()

    def done(self, result: int) -> None:
        self.scanner.wait()
        super().done(result)


def _valid(entry: object) -> bool:
    try:
        SerialSourceConfig.from_dict(entry)
    except SerialConfigError:
        return False
    return True
