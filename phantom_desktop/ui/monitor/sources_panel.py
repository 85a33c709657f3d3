"""The sources panel: each MQTT broker's and serial meter's state, readings per second and
errors (or plugs online), and why it is not connected.

The Monitor's display clock refreshes it once a second while the tab shows. It only reads
`SerialSource.status` and `MqttSource.status` snapshots (copies taken under a short lock), so
the GUI never waits for a serial port or a broker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.ingest.mqtt.status import MqttStatus
from phantom_desktop.ingest.serial.status import SourceStatus
from phantom_desktop.ui.common import palette
from phantom_desktop.ui.common.widgets import header_row, muted_label, title_label
from phantom_desktop.ui.monitor import broker_text
from phantom_desktop.ui.settings.serial_labels import (
    STATE_NAMES,
    counters_text,
    counters_tooltip,
    is_modbus,
    readable_reason,
    short_name,
)
from phantom_desktop.ui.status_bar import RateMeter

MAX_VISIBLE_CARDS = 3
EMPTY_TEXT = "No serial meters or smart plugs — Settings… to add one."

StatusSource = Callable[[], list[SourceStatus]]
BrokerSource = Callable[[], list[MqttStatus]]


@dataclass(frozen=True, slots=True)
class CardText:
    """What one card shows; `reason` only while the source is not connected."""

    name: str
    state: str
    where: str
    where_tip: str
    counters: str
    counters_tip: str
    reason: str


def serial_text(status: SourceStatus) -> CardText:
    modbus = is_modbus(status.protocol)
    where = f"{short_name(status.protocol)} · {status.port or 'USB adapter'}"
    return CardText(
        status.name,
        status.state,
        where + (" · no relay" if modbus else ""),
        "A Modbus meter only measures: it cannot cut its ports" if modbus else "",
        counters_text(status),
        counters_tooltip(status),
        status.reason,
    )


def mqtt_text(status: MqttStatus, readings_per_s: float) -> CardText:
    return CardText(
        status.name,
        status.state,
        broker_text.where_text(status),
        f"Broker {status.url}",
        broker_text.counters_text(status, readings_per_s),
        broker_text.counters_tooltip(status),
        status.reason,
    )


class SourceCard(QFrame):
    """One source: name and state badge; protocol and port; rate and errors; the reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name_label = QLabel()
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        self.state_label = QLabel()
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.where_label = muted_label()
        self.counters_label = QLabel()
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QGridLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setVerticalSpacing(2)
        layout.addWidget(self.name_label, 0, 0)
        layout.addWidget(self.state_label, 0, 1, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.where_label, 1, 0, 1, 2)
        layout.addWidget(self.counters_label, 2, 0, 1, 2)
        layout.addWidget(self.reason_label, 3, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        self._state = ""

    def show_text(self, text: CardText) -> None:
        self.name_label.setText(text.name)
        if text.state != self._state:
            self._state = text.state
            self.state_label.setStyleSheet(palette.badge_style(text.state))
        self.state_label.setText(STATE_NAMES.get(text.state, text.state))
        self.where_label.setText(text.where)
        self.where_label.setToolTip(text.where_tip)
        self.counters_label.setText(text.counters)
        self.counters_label.setToolTip(text.counters_tip)
        reason = text.reason if text.state != "connected" else ""
        self.reason_label.setText(readable_reason(reason))
        self.reason_label.setToolTip(reason)
        self.reason_label.setVisible(bool(reason))
        error = text.state == "error"
        color = palette.error_text().name() if error else "palette(placeholder-text)"
        self.reason_label.setStyleSheet(f"color: {color};")


class SourcesPanel(QWidget):
    """Lists the MQTT brokers, then the serial sources; asks (by signal) for Settings."""

    settings_requested = Signal()

    def __init__(
        self,
        statuses: StatusSource,
        brokers: BrokerSource = list,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._statuses = statuses
        self._brokers = brokers
        self._rates: dict[str, tuple[RateMeter, int]] = {}  # broker: its meter, readings seen
        self.cards: list[SourceCard] = []
        self._names: list[str] = []
        self.settings_button = QPushButton("Settings…")
        self.settings_button.setToolTip("Add, change or remove serial meters and smart plugs")
        self.settings_button.clicked.connect(self.settings_requested)
        self.empty_label = muted_label(EMPTY_TEXT)

        self._cards_box = QWidget()
        self._cards_layout = QVBoxLayout(self._cards_box)
        self._cards_layout.setContentsMargins(0, 0, 0, 0)
        self._cards_layout.setSpacing(6)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(self._cards_box)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(header_row(title_label("Sources"), self.settings_button))
        layout.addWidget(self.empty_label)
        layout.addWidget(self._scroll)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.refresh()

    def card(self, name: str) -> SourceCard | None:
        return next((card for card in self.cards if card.name_label.text() == name), None)

    def refresh(self) -> None:
        """Show the sources' current snapshots; rebuild the cards when the sources changed."""
        texts = [mqtt_text(status, self._rate(status)) for status in self._brokers()]
        texts += [serial_text(status) for status in self._statuses()]
        names = [text.name for text in texts]
        if names != self._names:
            self._rebuild(len(texts))
            self._names = names
        for card, text in zip(self.cards, texts, strict=True):
            card.show_text(text)
        self.empty_label.setVisible(not texts)
        self._scroll.setVisible(bool(texts))
        self._fit_height()

    def _rate(self, status: MqttStatus) -> float:
        """The broker's stored readings per second, from the counts seen at each refresh."""
        readings = status.counts.get("readings", 0)
        meter, seen = self._rates.get(status.name, (RateMeter(), readings))
        meter.add(max(0, readings - seen))
        self._rates[status.name] = (meter, readings)
        return meter.rate()

    def _rebuild(self, count: int) -> None:
        for card in self.cards:
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        self.cards = [SourceCard(self._cards_box) for _ in range(count)]
        for card in self.cards:
            self._cards_layout.addWidget(card)

    def _fit_height(self) -> None:
        """As tall as the cards, up to MAX_VISIBLE_CARDS; more scroll."""
        shown = self.cards[:MAX_VISIBLE_CARDS]
        spacing = self._cards_layout.spacing()
        height = sum(card.sizeHint().height() + spacing for card in shown)
        self._scroll.setFixedHeight(max(height, 1))
