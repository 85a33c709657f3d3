"""The serial meters panel: each source's state, readings per second and errors.

The Monitor's display clock refreshes it once a second while the tab shows. It only reads
`SerialSource.status` snapshots (a copy taken under a short lock), so the GUI
never waits for a serial port.
"""

from __future__ import annotations

from collections.abc import Callable

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

from phantom_desktop.ingest.serial.status import SourceStatus
from phantom_desktop.ui.common import palette
from phantom_desktop.ui.common.widgets import header_row, muted_label, title_label
from phantom_desktop.ui.settings.serial_labels import (
    STATE_NAMES,
    counters_text,
    counters_tooltip,
    is_modbus,
    readable_reason,
    short_name,
)

MAX_VISIBLE_CARDS = 3
EMPTY_TEXT = "No serial meters — Settings… to add one."

StatusSource = Callable[[], list[SourceStatus]]


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

    def show_status(self, status: SourceStatus) -> None:
        self.name_label.setText(status.name)
        if status.state != self._state:
            self._state = status.state
            self.state_label.setStyleSheet(palette.badge_style(status.state))
        self.state_label.setText(STATE_NAMES.get(status.state, status.state))
        where = f"{short_name(status.protocol)} · {status.port or 'USB adapter'}"
        if is_modbus(status.protocol):
            where += " · no relay"
        self.where_label.setText(where)
        self.where_label.setToolTip(
            "A Modbus meter only measures: it cannot cut its ports"
            if is_modbus(status.protocol)
            else ""
        )
        self.counters_label.setText(counters_text(status))
        self.counters_label.setToolTip(counters_tooltip(status))
        reason = status.reason if status.state != "connected" else ""
        self.reason_label.setText(readable_reason(reason))
        self.reason_label.setToolTip(reason)
        self.reason_label.setVisible(bool(reason))
        error = status.state == "error"
        color = palette.error_text().name() if error else "palette(placeholder-text)"
        self.reason_label.setStyleSheet(f"color: {color};")


class SourcesPanel(QWidget):
    """Lists the running serial sources; asks (by signal) for the Settings dialog."""

    settings_requested = Signal()

    def __init__(self, statuses: StatusSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._statuses = statuses
        self.cards: list[SourceCard] = []
        self._names: list[str] = []
        self.settings_button = QPushButton("Settings…")
        self.settings_button.setToolTip("Add, change or remove serial meters")
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
        layout.addLayout(header_row(title_label("Serial meters"), self.settings_button))
        layout.addWidget(self.empty_label)
        layout.addWidget(self._scroll)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.refresh()

    def card(self, name: str) -> SourceCard | None:
        return next((card for card in self.cards if card.name_label.text() == name), None)

    def refresh(self) -> None:
        """Show the sources' current snapshots; rebuild the cards when the sources changed."""
        statuses = self._statuses()
        names = [status.name for status in statuses]
        if names != self._names:
            self._rebuild(len(statuses))
            self._names = names
        for card, status in zip(self.cards, statuses, strict=True):
            card.show_status(status)
        self.empty_label.setVisible(not statuses)
        self._scroll.setVisible(bool(statuses))
        self._fit_height()

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
