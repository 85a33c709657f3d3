"""The Settings dialog's smart plugs section: the MQTT broker, the plugs, and Find plugs….

`values()` gives what OK saves: the `mqtt` and `plugs` settings and the broker password (kept
in its own file, never in the settings). The client id is made once and then kept: it names
the broker session that holds our unacknowledged messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.ingest.mqtt.config import (
    BrokerConfig,
    MqttConfigError,
    check_broker_url,
    plugs_from_settings,
)
from phantom_desktop.store.serial_choices import Choices
from phantom_desktop.ui.common.widgets import muted_label, title_label
from phantom_desktop.ui.settings.find_plugs_dialog import KIND_NAMES, FindPlugsDialog, channel_name

EMPTY_TEXT = (
    "No smart plugs yet. Enter your MQTT broker (Mosquitto, Home Assistant's add-on…), then"
    " Find plugs… lists the Tasmota, Shelly and zigbee2mqtt plugs it hears."
)
COLUMNS = ("Plug", "Kind", "Topic", "Feeds")


def new_client_id() -> str:
    return f"phantom-desktop-{uuid.uuid4().hex[:12]}"


class PlugsSection(QWidget):
    def __init__(
        self,
        mqtt: dict[str, object] | None,
        plugs: Sequence[object],
        password: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._mqtt = dict(mqtt or {})
        self._plugs: list[dict[str, object]] = [p for p in plugs if isinstance(p, dict)]
        self._choices = Choices([], [])
        self.url_edit = QLineEdit(str(self._mqtt.get("url", "")))
        self.url_edit.setPlaceholderText("mqtt://192.168.1.10:1883 (mqtts:// for TLS)")
        self.user_edit = QLineEdit(str(self._mqtt.get("username", "")))
        self.user_edit.setPlaceholderText("none")
        self.password_edit = QLineEdit(password)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("plugsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.find_button = QPushButton("&Find plugs…")
        self.find_button.setObjectName("findPlugsButton")
        self.find_button.clicked.connect(self.find_plugs)
        self.remove_button = QPushButton("Re&move plug")
        self.remove_button.clicked.connect(self.remove_selected)
        self.empty_label = muted_label(EMPTY_TEXT)
        self.error_label = muted_label()
        form = QFormLayout()
        form.addRow("&Broker:", self.url_edit)
        form.addRow("&User name:", self.user_edit)
        form.addRow("Pass&word:", self.password_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.find_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.addWidget(title_label("Smart plugs (MQTT)"))
        layout.addLayout(form)
        layout.addWidget(self.table)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(muted_label("Plugs start, stop or restart when you press OK."))
        self.url_edit.textChanged.connect(self._update_buttons)
        self._fill()

    def set_choices(self, choices: Choices) -> None:
        self._choices = choices
        self._fill()

    # -- the table --------------------------------------------------------------------------------
    def _fill(self) -> None:
        self.table.setRowCount(len(self._plugs))
        for row, plug in enumerate(self._plugs):
            kind = str(plug.get("kind", ""))
            raw = plug.get("channels")
            channels: dict[object, object] = raw if isinstance(raw, dict) else {}
            feeds = ", ".join(
                f"{channel_name(kind, int(str(c)))} → {self._choices.port_name(str(p)) or p}"
                for c, p in channels.items()
                if str(c).isdigit()
            )
            cells = [
                str(plug.get("name", "")),
                KIND_NAMES.get(kind, kind),
                str(plug.get("topic", "")),
                feeds,
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.empty_label.setVisible(not self._plugs)
        self.table.setVisible(bool(self._plugs))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.find_button.setEnabled(bool(self.url_edit.text().strip()))
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def remove_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            del self._plugs[rows[0].row()]
            self._fill()

    # -- Find plugs… ------------------------------------------------------------------------------
    def broker(self) -> BrokerConfig:
        """The broker as the fields say now (MqttConfigError when the URL is not one)."""
        url = check_broker_url(self.url_edit.text())
        client_id = str(self._mqtt.get("client_id") or new_client_id())
        return BrokerConfig(
            url, client_id, self.user_edit.text().strip(), self.password_edit.text()
        )

    def find_plugs(self) -> None:
        try:
            broker = self.broker()
        except MqttConfigError as exc:
            self.error_label.setText(str(exc))
            return
        self.error_label.setText("")
        taken = {(str(p.get("kind")), str(p.get("topic"))) for p in self._plugs}
        dialog = FindPlugsDialog(broker, self._choices, taken, parent=self)
        if dialog.exec() and dialog.plug is not None:
            self._plugs.append(dialog.plug)
            self._fill()

    # -- what OK saves ----------------------------------------------------------------------------
    def values(self) -> tuple[dict[str, object] | None, list[dict[str, object]], str]:
        """(mqtt, plugs, password) to save; MqttConfigError names what is wrong."""
        plugs_from_settings(self._plugs)
        if not self.url_edit.text().strip():
            if self._plugs:
                raise MqttConfigError("Smart plugs need a broker: enter its address")
            return None, [], ""
        broker = self.broker()
        mqtt = {**self._mqtt, "url": broker.url, "client_id": broker.client_id}
        mqtt["username"] = broker.username
        return mqtt, list(self._plugs), broker.password
