"""The Energy view: what standby costs, where, and what cutting saved.

First the answer (what the home's always-on draw costs a year), then the ports ranked by what
their standby costs a year, then the range's totals: energy, cost, standby share, wasted in
phantom episodes and saved by cuts. Computed on the window's database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.core.energy_report import EnergyRow
from phantom_desktop.core.periods import PeriodBy
from phantom_desktop.core.tariff import Tariff
from phantom_desktop.store.energy_queries import energy_report
from phantom_desktop.store.history_queries import user_ports
from phantom_desktop.ui.energy.energy_model import EnergyColumn, EnergyModel, kwh, money

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from phantom_desktop.ui.tasks import DbWorker

RANGES = ("Today", "Last 7 days", "This month", "Last 30 days", "This year", "Custom")


@dataclass(frozen=True, slots=True)
class EnergyResult:
    ports: list[EnergyRow]
    home: EnergyRow | None
    tariff: Tariff


def range_for(choice: str, today: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """A named range in local days, ending now (tomorrow's midnight for whole days)."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), zone).astimezone(UTC)

    end = datetime.now(UTC)
    starts = {
        "Today": today,
        "Last 7 days": today - timedelta(days=6),
        "This month": today.replace(day=1),
        "Last 30 days": today - timedelta(days=29),
        "This year": today.replace(month=1, day=1),
    }
    return midnight(starts[choice]), end


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class EnergyTab(QWidget):
    def __init__(
        self,
        worker: DbWorker,
        user_id: str,
        tariff_of: Callable[[], tuple[Tariff, tzinfo]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._user_id = user_id
        self._tariff_of = tariff_of
        self.model = EnergyModel(self)
        self._build()

    def _build(self) -> None:
        self.headline = QLabel("…")
        self.headline.setObjectName("heading")
        self.headline.setWordWrap(True)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.range_choice = QComboBox()
        self.range_choice.addItems(RANGES)
        self.range_choice.setCurrentText("Last 30 days")
        self.range_choice.currentTextChanged.connect(self._range_changed)
        self.start_edit = QDateEdit()
        self.end_edit = QDateEdit()
        today = QDate.currentDate()
        self.start_edit.setDate(today.addDays(-29))
        self.end_edit.setDate(today)
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel("Range"))
        top.addWidget(self.range_choice)
        top.addWidget(self.start_edit)
        top.addWidget(QLabel("to"))
        top.addWidget(self.end_edit)
        top.addWidget(refresh)
        top.addStretch(1)

        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(EnergyColumn.YEARLY, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EnergyColumn.PORT, QHeaderView.ResizeMode.Stretch)
        title = QLabel("Biggest standby wasters (what their always-on draw costs a year)")
        title.setObjectName("subheading")

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(top)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

    def _range_changed(self, choice: str) -> None:
        custom = choice == "Custom"
        for edit in (self.start_edit, self.end_edit):
            edit.setEnabled(custom)
        if not custom:
            self.refresh()

    def current_range(self, zone: tzinfo) -> tuple[datetime, datetime]:
        choice = self.range_choice.currentText()
        if choice != "Custom":
            return range_for(choice, datetime.now(zone).date(), zone)
        first = _day(self.start_edit.date())
        last = _day(self.end_edit.date()) + timedelta(days=1)
        return (datetime.combine(first, time(), zone).astimezone(UTC),
                datetime.combine(last, time(), zone).astimezone(UTC))  # fmt: skip

    def refresh(self) -> None:
        """Recompute the figures for the chosen range (off the GUI thread)."""
        tariff, zone = self._tariff_of()
        start, end = self.current_range(zone)
        if end <= start:
            self.summary.setText("The end of the range must be after its start.")
            return
        user_id = self._user_id

        def task(session: Session) -> EnergyResult:
            ports = user_ports(session.connection(), user_id)
            now = datetime.now(UTC)
            by_port, home = energy_report(
                session.connection(), ports, start, end, PeriodBy.ALL, tariff, zone, now
            )
            rows = [rows[0] for rows in by_port.values() if rows]
            return EnergyResult(rows, home[0] if home else None, tariff)

        self.summary.setText("Adding up…")
        self._worker.submit("Computing energy and cost", task, self._show,
                            lambda message: self.summary.setText(message))  # fmt: skip

    def _show(self, result: EnergyResult) -> None:
        self.model.set_rows(result.ports)
        home, tariff = result.home, result.tariff
        if home is None:
            self.headline.setText("No ports yet: energy and cost appear once readings arrive.")
            self.summary.setText("")
            return
        c = tariff.currency
        self.headline.setText(
            f"Always-on draw: {home.always_on_w:.1f} W — about "
            f"{money(home.yearly_standby_cost, c)} a year."
        )
        saved_cost = home.saved_wh / 1000 * tariff.mean_price()
        self.summary.setText(
            f"In this range: {kwh(home.wh)} costing {money(home.cost, c)}; standby "
            f"{kwh(home.standby_wh)} ({home.standby_share:.0%}, {money(home.standby_cost, c)}); "
            f"wasted in phantom episodes {kwh(home.wasted_wh)}; saved by cuts "
            f"{kwh(home.saved_wh)} (about {money(saved_cost, c)}). "
            f"Tariff: {tariff.price_per_kwh:g} {c}/kWh"
            + (f" with {len(tariff.periods)} time-of-use periods." if tariff.periods else ".")
        )
