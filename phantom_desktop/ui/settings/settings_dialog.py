"""The Settings dialog: serial meters and smart plugs (applied at once) and where devices reach
the app over HTTP (applied at the next start).

OK writes only what changed to the settings file (`update_settings_file`), then emits
`serial_sources_saved` so the window restarts the meters; the device and port names come from
the database on the window's worker thread.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.config import (
    AppPaths,
    ConfigError,
    Settings,
    file_settings,
    read_mqtt_password,
    update_settings_file,
    write_mqtt_password,
)
from phantom_desktop.core.snippets import READING_PATH, listen_url
from phantom_desktop.ingest.mqtt.config import MqttConfigError
from phantom_desktop.ingest.serial.config import SerialConfigError, parse_source_configs
from phantom_desktop.store.serial_choices import Choices, load_choices
from phantom_desktop.ui.common import palette
from phantom_desktop.ui.common.widgets import muted_label, table_view, title_label
from phantom_desktop.ui.energy.tariff_box import ENERGY_KEYS, TariffBox
from phantom_desktop.ui.settings.plugs_section import PlugsSection
from phantom_desktop.ui.settings.serial_source_dialog import SerialSourceEditor
from phantom_desktop.ui.settings.serial_sources_model import SerialSourcesModel, SourceColumn
from phantom_desktop.ui.tasks import DbWorker

EMPTY_SOURCES_TEXT = (
    "No serial meters yet. Add a PZEM, SDM or emonTx on a USB adapter, or a relay board that"
    " speaks JSON lines."
)
HTTP_ENV = ("PHANTOM_HTTP_HOST", "PHANTOM_HTTP_PORT")


class SettingsDialog(QDialog):
    """Edits the settings file; `serial_sources_saved(list)` after new meters were saved."""

    serial_sources_saved = Signal(list)
    energy_settings_saved = Signal()
    plugs_saved = Signal(object, list, str)  # mqtt settings (or None), plugs, broker password

    def __init__(
        self,
        paths: AppPaths,
        worker: DbWorker,
        user_id: str,
        listening_on: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`listening_on`: the URL the running app listens on, if it does."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._paths = paths
        self._listening_on = listening_on
        self._closed = False
        self.editor: SerialSourceEditor | None = None
        self._choices: Choices | None = None
        load_error = ""
        try:
            self._saved = file_settings(paths)
        except ConfigError as exc:
            self._saved, load_error = Settings(), str(exc)
        self.sources_model = SerialSourcesModel(self._saved.serial_sources, self)
        try:
            self._password = read_mqtt_password(paths)
        except ConfigError as exc:
            self._password, load_error = "", str(exc)
        self.plugs_section = PlugsSection(self._saved.mqtt, self._saved.plugs, self._password, self)
        self._build()
        self._show_error(load_error)
        worker.submit(
            "Loading devices and ports",
            lambda session: load_choices(session, user_id),
            self._choices_loaded,
        )

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.sources_view = table_view(self)
        self.sources_view.setObjectName("serialSourcesTable")
        self.sources_view.setModel(self.sources_model)
        header = self.sources_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SourceColumn.CHANNELS, QHeaderView.ResizeMode.Stretch)
        self.sources_view.doubleClicked.connect(self.edit_source)
        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove")
        self.add_button.clicked.connect(self.add_source)
        self.edit_button.clicked.connect(self.edit_source)
        self.remove_button.clicked.connect(self.remove_source)
        self.empty_label = muted_label(EMPTY_SOURCES_TEXT)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        serial_box = QWidget()
        serial_layout = QVBoxLayout(serial_box)
        serial_layout.setContentsMargins(0, 0, 0, 12)
        serial_layout.addWidget(title_label("Serial meters"))
        serial_layout.addWidget(self.sources_view)
        serial_layout.addWidget(self.empty_label)
        serial_layout.addLayout(buttons)
        serial_layout.addWidget(muted_label("Meters start, stop or restart when you press OK."))

        self.host_edit = QLineEdit(self._saved.http_host)
        self.host_edit.setToolTip("127.0.0.1: only this computer. 0.0.0.0: every network interface")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("any free port")
        self.port_spin.setValue(self._saved.http_port)
        self.port_spin.setMaximumWidth(160)
        self.host_edit.setMaximumWidth(260)
        self.http_note = muted_label()
        http_box = QWidget()
        http_layout = QVBoxLayout(http_box)
        http_layout.setContentsMargins(0, 0, 0, 0)
        http_layout.addWidget(title_label("Devices over the network (HTTP)"))
        http_form = QFormLayout()
        http_layout.addLayout(http_form)
        http_form.addRow("Listen &address:", self.host_edit)
        http_form.addRow("&Port:", self.port_spin)
        http_form.addRow(self.http_note)

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(palette.error_style())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        # Meters and plugs each get a tab: together they do not fit a laptop's screen.
        self.sources_tabs = QTabWidget()
        self.sources_tabs.setDocumentMode(True)
        self.sources_tabs.addTab(serial_box, "Serial meters")
        self.sources_tabs.addTab(self.plugs_section, "Smart plugs (MQTT)")
        layout.addWidget(self.sources_tabs, 1)
        layout.addWidget(http_box)
        self.tariff_box = TariffBox(self._saved)
        layout.addWidget(self.tariff_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(760, 600)

        self.host_edit.textChanged.connect(self._show_http_note)
        self.port_spin.valueChanged.connect(self._show_http_note)
        self.sources_view.selectionModel().selectionChanged.connect(self._update_buttons)
        for signal in (self.sources_model.rowsInserted, self.sources_model.rowsRemoved):
            signal.connect(self._update_buttons)
        self._show_http_note()
        self._update_buttons()

    def _show_http_note(self) -> None:
        url = listen_url(self.host_edit.text().strip() or "127.0.0.1", self.port_spin.value())
        lines = [f"Devices send readings to {url}{READING_PATH}"]
        applies = "Changes here apply the next time Phantom Desktop starts"
        if self._listening_on:
            running = urlsplit(self._listening_on)
            running_url = listen_url(running.hostname or "", running.port or 0)
            if running_url != url:
                applies += f"; until then it listens on {running_url}"
        lines.append(applies + ".")
        overridden = [name for name in HTTP_ENV if os.environ.get(name)]
        if overridden:
            lines.append(f"{' and '.join(overridden)} in the environment take precedence.")
        self.http_note.setText("\n".join(lines))

    def _update_buttons(self, *_args: object) -> None:
        loaded = self._choices is not None
        selected = self.selected_row() is not None
        self.add_button.setEnabled(loaded)
        self.edit_button.setEnabled(loaded and selected)
        self.remove_button.setEnabled(selected)
        empty = self.sources_model.rowCount() == 0
        self.empty_label.setVisible(empty)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    # -- meters ---------------------------------------------------------------------------------
    def _choices_loaded(self, choices: Choices) -> None:
        if self._closed:
            return
        self._choices = choices
        self.sources_model.set_choices(choices)
        self.plugs_section.set_choices(choices)
        self._update_buttons()

    def selected_row(self) -> int | None:
        rows = self.sources_view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def add_source(self) -> None:
        self._open_editor(None)

    def edit_source(self) -> None:
        self._open_editor(self.selected_row())

    def _open_editor(self, row: int | None) -> None:
        if self._choices is None or self.editor is not None:
            return
        entries = self.sources_model.entries()
        entry = None if row is None else entries.pop(row)
        editor = SerialSourceEditor(self._choices, entries, entry, self)
        editor.accepted.connect(lambda: self._editor_accepted(editor, row))
        editor.finished.connect(lambda _result: self._editor_closed(editor))
        self.editor = editor
        editor.open()

    def _editor_accepted(self, editor: SerialSourceEditor, row: int | None) -> None:
        assert editor.config is not None
        entry = editor.config.to_dict()
        if row is None:
            row = self.sources_model.add(entry)
        else:
            self.sources_model.replace(row, entry)
        self.sources_view.selectRow(row)
        self._show_error("")

    def _editor_closed(self, editor: SerialSourceEditor) -> None:
        self.editor = None
        editor.deleteLater()

    def remove_source(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.sources_model.remove(row)

    # -- saving ---------------------------------------------------------------------------------
    def changes(self) -> dict:
        """The settings whose values differ from the file's."""
        changes: dict = {}
        entries = self.sources_model.entries()
        if entries != self._saved.serial_sources:
            changes["serial_sources"] = entries
        host = self.host_edit.text().strip()
        if host != self._saved.http_host:
            changes["http_host"] = host
        if self.port_spin.value() != self._saved.http_port:
            changes["http_port"] = self.port_spin.value()
        changes.update(self.tariff_box.changes(self._saved))
        return changes

    def accept(self) -> None:
        """Write what changed; stay open, saying why, when it cannot be saved."""
        changes = self.changes()
        energy_error = self.tariff_box.error()
        if energy_error is not None:
            self._show_error(energy_error)
            return
        try:
            mqtt, plugs, password = self.plugs_section.values()
        except MqttConfigError as exc:
            self._show_error(f"The smart plugs cannot be saved: {exc}")
            return
        plugs_changed = (mqtt, plugs) != (self._saved.mqtt, self._saved.plugs)
        if plugs_changed:
            changes.update(mqtt=mqtt, plugs=plugs)
        if password != self._password:
            try:
                write_mqtt_password(self._paths, password)
            except OSError as exc:
                self._show_error(f"The broker password could not be saved: {exc}")
                return
        if "serial_sources" in changes:
            try:
                parse_source_configs(changes["serial_sources"])
            except SerialConfigError as exc:
                self._show_error(f"The serial meters cannot be saved: {exc}")
                return
        if changes:
            try:
                update_settings_file(self._paths, **changes)
            except (ConfigError, OSError) as exc:
                self._show_error(f"The settings could not be saved: {exc}")
                return
        super().accept()
        if "serial_sources" in changes:
            self.serial_sources_saved.emit(changes["serial_sources"])
        if set(changes) & ENERGY_KEYS:
            self.energy_settings_saved.emit()
        if plugs_changed or password != self._password:
            self.plugs_saved.emit(mqtt, plugs, password)

    def done(self, result: int) -> None:
        self._closed = True
        if self.editor is not None:
            self.editor.reject()
        super().done(result)
