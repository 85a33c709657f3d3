"""The Settings section for what energy costs and how long raw readings are kept."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.config import Settings
from phantom_desktop.core.tariff import TariffError, parse_periods
from phantom_desktop.core.timespec import TimeSpecError, zone_named

ENERGY_KEYS = frozenset(
    {"price_per_kwh", "currency", "tariff_periods", "timezone", "retention_days"}
)
PERIODS_HINT = "One period a line: days hours price, e.g.\nMon-Fri 22-6 0.18\nSat,Sun 0-24 0.20"


class TariffBox(QWidget):
    """Price per kWh, currency, time-of-use periods, time zone and raw-reading retention."""

    def __init__(self, saved: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.price = QDoubleSpinBox()
        self.price.setDecimals(4)
        self.price.setRange(0.0, 100.0)
        self.price.setSingleStep(0.01)
        self.price.setValue(saved.price_per_kwh)
        self.currency = QLineEdit(saved.currency)
        self.currency.setMaxLength(8)
        self.currency.setMaximumWidth(100)
        self.periods = QPlainTextEdit(saved.tariff_periods)
        self.periods.setPlaceholderText(PERIODS_HINT)
        self.periods.setMaximumHeight(80)
        self.periods.setToolTip(
            "Hours that cost another price, in local time. A period past midnight (22-6) "
            "belongs to the day it starts on; hours no period covers cost the price above."
        )
        self.zone = QLineEdit(saved.timezone)
        self.zone.setPlaceholderText("this computer's")
        self.zone.setMaximumWidth(260)
        self.retention = QSpinBox()
        self.retention.setRange(0, 100_000)
        self.retention.setSpecialValueText("forever")
        self.retention.setSuffix(" days")
        self.retention.setValue(int(saved.retention_days))
        self.retention.setToolTip(
            "Raw readings older than this are deleted in the background, a little at a time. "
            "Minute and hour rollups are kept forever: history and energy stay."
        )
        title = QLabel("Energy cost and history")
        title.setObjectName("title")
        form = QFormLayout()
        form.addRow("Price per &kWh:", self.price)
        form.addRow("&Currency:", self.currency)
        form.addRow("&Time-of-use:", self.periods)
        form.addRow("Time &zone:", self.zone)
        form.addRow("Keep raw &readings:", self.retention)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addLayout(form)

    def error(self) -> str | None:
        """Why the entries cannot be saved, or None."""
        if not self.currency.text().strip():
            return "The currency must not be empty (EUR, USD, £…)."
        try:
            parse_periods(self.periods.toPlainText())
        except TariffError as exc:
            return f"Time-of-use periods: {exc}"
        try:
            zone_named(self.zone.text().strip())
        except TimeSpecError as exc:
            return f"Time zone: {exc}"
        return None

    def changes(self, saved: Settings) -> dict[str, Any]:
        """The entries that differ from the saved settings."""
        values: dict[str, Any] = {
            "price_per_kwh": round(self.price.value(), 4),
            "currency": self.currency.text().strip(),
            "tariff_periods": self.periods.toPlainText().strip(),
            "timezone": self.zone.text().strip(),
            "retention_days": self.retention.value(),
        }
        return {key: value for key, value in values.items() if getattr(saved, key) != value}
