"""The Energy view's table: ports ranked by what their standby costs a year."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from phantom_desktop.core.energy_report import EnergyRow, ranked_wasters

Index = QModelIndex | QPersistentModelIndex


class EnergyColumn(enum.IntEnum):
    PORT = 0
    ALWAYS_ON = 1
    YEARLY = 2
    STANDBY = 3
    SHARE = 4
    WASTED = 5
    SAVED = 6
    ENERGY = 7
    COST = 8


HEADERS = {
    EnergyColumn.PORT: ("Port", "The port"),
    EnergyColumn.ALWAYS_ON: ("Always on", "The floor it never goes below for long (last 48 h)"),
    EnergyColumn.YEARLY: ("Standby / year", "What that always-on draw costs in a year"),
    EnergyColumn.STANDBY: ("Standby", "Energy drawn in standby (below the threshold) in the range"),
    EnergyColumn.SHARE: ("Share", "Standby's share of the port's energy in the range"),
    EnergyColumn.WASTED: ("Wasted", "Energy drawn during phantom episodes in the range"),
    EnergyColumn.SAVED: ("Saved", "Standby energy avoided by cuts: standby power x time kept off"),
    EnergyColumn.ENERGY: ("Energy", "All the energy the port drew in the range"),
    EnergyColumn.COST: ("Cost", "What that energy cost at your tariff"),
}


def kwh(wh: float) -> str:
    return f"{wh / 1000:.3f} kWh" if wh < 10_000 else f"{wh / 1000:,.1f} kWh"


def money(value: float, currency: str) -> str:
    return f"{value:,.2f} {currency}"


class EnergyModel(QAbstractTableModel):
    """One row per port, biggest standby waster first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[EnergyRow] = []

    def set_rows(self, rows: Sequence[EnergyRow]) -> None:
        self.beginResetModel()
        self._rows = ranked_wasters(rows)
        self.endResetModel()

    def row(self, index: int) -> EnergyRow:
        return self._rows[index]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EnergyColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[EnergyColumn(section)][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADERS[EnergyColumn(section)][1]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = EnergyColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is not EnergyColumn.PORT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return self.sort_value(row, column)
        return None

    @staticmethod
    def display(row: EnergyRow, column: EnergyColumn) -> str:
        match column:
            case EnergyColumn.PORT:
                return row.port_name
            case EnergyColumn.ALWAYS_ON:
                return f"{row.always_on_w:.1f} W"
            case EnergyColumn.YEARLY:
                return money(row.yearly_standby_cost, row.currency)
            case EnergyColumn.STANDBY:
                return kwh(row.standby_wh)
            case EnergyColumn.SHARE:
                return f"{row.standby_share:.0%}"
            case EnergyColumn.WASTED:
                return kwh(row.wasted_wh)
            case EnergyColumn.SAVED:
                return kwh(row.saved_wh)
            case EnergyColumn.ENERGY:
                return kwh(row.wh)
            case EnergyColumn.COST:
                return money(row.cost, row.currency)

    @staticmethod
    def sort_value(row: EnergyRow, column: EnergyColumn) -> Any:
        values = {
            EnergyColumn.PORT: row.port_name.lower(),
            EnergyColumn.ALWAYS_ON: row.always_on_w,
            EnergyColumn.YEARLY: row.yearly_standby_cost,
            EnergyColumn.STANDBY: row.standby_wh,
            EnergyColumn.SHARE: row.standby_share,
            EnergyColumn.WASTED: row.wasted_wh,
            EnergyColumn.SAVED: row.saved_wh,
            EnergyColumn.ENERGY: row.wh,
            EnergyColumn.COST: row.cost,
        }
        return values[column]
