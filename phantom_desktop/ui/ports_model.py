"""The ports table: one row per port with its latest reading and status, updated in place."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from phantom_desktop.ingest.messages import CommittedBatch
from phantom_desktop.store.models import PORT_ACTIVE, PORT_OFF
from phantom_desktop.ui.common import formatting
from phantom_desktop.ui.common.palette import PortColors
from phantom_desktop.store.window_queries import PortInfo

SORT_ROLE = Qt.ItemDataRole.UserRole
PORT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2  # "active", "off", "phantom" or "no_relay"

ACTIVE, OFF, PHANTOM = "active", "off", "phantom"
# Off in the database, but only a meter without a relay (Modbus) measures it: still powered.
NO_RELAY = "no_relay"
NO_RELAY_BADGE = "Off · no relay"
NO_RELAY_TOOLTIP = (
    "Off — no relay: the meter cannot cut this port. It is still powered; switch it off at the"
    " socket, or turn it back on here."
)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter
_AnyIndex = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    NAME = 0
    DEVICE = 1
    VOLTAGE = 2
    CURRENT = 3
    POWER = 4
    STATUS = 5
    THRESHOLD = 6
    LAST_SEEN = 7


HEADERS = {
    Column.NAME: "Port",
    Column.DEVICE: "Device",
    Column.VOLTAGE: "Voltage",
    Column.CURRENT: "Current",
    Column.POWER: "Power",
    Column.STATUS: "Status",
    Column.THRESHOLD: "Threshold",
    Column.LAST_SEEN: "Last reading",
}
NUMERIC = {Column.VOLTAGE, Column.CURRENT, Column.POWER, Column.THRESHOLD, Column.LAST_SEEN}


def _alignment(column: int) -> Qt.AlignmentFlag:
    if column == Column.STATUS:
        return _CENTER
    return _RIGHT if column in NUMERIC else _LEFT


@dataclass(slots=True)
class PortRow:
    id: str
    name: str
    device: str
    threshold_w: float
    port_status: str
    phantom: bool
    voltage: float | None
    current: float | None
    power: float | None
    last_seen: datetime | None

    @classmethod
    def from_info(cls, info: PortInfo) -> PortRow:
        return cls(
            info.id,
            info.name,
            info.device_name,
            info.threshold_w,
            info.status,
            info.phantom,
            info.voltage,
            info.current,
            info.power,
            info.last_seen,
        )

    @property
    def status(self) -> str:
        """What the table shows: off, phantom (an open event on a live port) or active."""
        if self.port_status == PORT_OFF:
            return OFF
        return PHANTOM if self.phantom else ACTIVE


class PortsModel(QAbstractTableModel):
    """Rows keyed by port id; live batches change only the rows they touch."""

    def __init__(self, colors: PortColors, parent=None) -> None:
        super().__init__(parent)
        self._colors = colors
        self._rows: list[PortRow] = []
        self._index: dict[str, int] = {}
        self._no_relay: frozenset[str] = frozenset()

    # -- queries ------------------------------------------------------------------------------
    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def port_ids(self) -> list[str]:
        return [row.id for row in self._rows]

    def row_of(self, port_id: str) -> PortRow | None:
        position = self._index.get(port_id)
        return None if position is None else self._rows[position]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(section)
        return None

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.STATUS and self.badge(row) == NO_RELAY:
                return NO_RELAY_BADGE
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == PORT_ID_ROLE:
            return row.id
        if role == STATUS_ROLE:
            return self.badge(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        if role == Qt.ItemDataRole.DecorationRole and column == Column.NAME:
            return self._colors.color(row.id)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.NAME:
                return f"Port id: {row.id}"
            if column == Column.THRESHOLD:
                return "Standby (phantom) power is anything above 0 W and below this"
            if column == Column.STATUS and self.badge(row) == NO_RELAY:
                return NO_RELAY_TOOLTIP
        return None

    def badge(self, row: PortRow) -> str:
        """The row's status as its badge shows it: a cut no relay carried out is "no_relay"."""
        return NO_RELAY if row.status == OFF and row.id in self._no_relay else row.status

    @staticmethod
    def _display(row: PortRow, column: Column) -> str:
        match column:
            case Column.NAME:
                return row.name
            case Column.DEVICE:
                return row.device or formatting.MISSING
            case Column.VOLTAGE:
                return formatting.volts(row.voltage)
            case Column.CURRENT:
                return formatting.amps(row.current)
            case Column.POWER:
                return formatting.watts(row.power)
            case Column.STATUS:
                return row.status.capitalize()
            case Column.THRESHOLD:
                return formatting.threshold(row.threshold_w)
            case Column.LAST_SEEN:
                return formatting.local_time(row.last_seen)

    @staticmethod
    def _sort_key(row: PortRow, column: Column) -> Any:
        missing = float("-inf")
        match column:
            case Column.NAME | Column.DEVICE | Column.STATUS:
                return PortsModel._display(row, column).casefold()
            case Column.VOLTAGE:
                return missing if row.voltage is None else row.voltage
            case Column.CURRENT:
                return missing if row.current is None else row.current
            case Column.POWER:
                return missing if row.power is None else row.power
            case Column.THRESHOLD:
                return row.threshold_w
            case Column.LAST_SEEN:
                return missing if row.last_seen is None else row.last_seen.timestamp()

    # -- changes ------------------------------------------------------------------------------
    def set_no_relay(self, port_ids: Iterable[str]) -> None:
        """The ports that only a meter without a relay measures: their cuts are not carried out."""
        port_ids = frozenset(port_ids)
        changed, self._no_relay = port_ids ^ self._no_relay, port_ids
        for port_id in changed:
            position = self._index.get(port_id)
            if position is not None:
                self._row_changed(position, Column.STATUS, Column.STATUS)

    def set_ports(self, infos: Iterable[PortInfo]) -> None:
        """Follow a fresh list of ports: add new rows, drop gone ones, rename kept ones.

        Kept rows keep their live values, which are at least as new as the database's.
        """
        infos = list(infos)
        wanted = {info.id for info in infos}
        for position in reversed(range(len(self._rows))):
            if self._rows[position].id not in wanted:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()
        self._reindex()
        for info in infos:
            row = self.row_of(info.id)
            if row is None:
                self._insert(PortRow.from_info(info))
            else:
                row.name, row.device = info.name, info.device_name
                row.threshold_w = info.threshold_w
                self._row_changed(self._index[info.id], Column.NAME, Column.THRESHOLD)

    def apply_batch(self, batch: CommittedBatch) -> set[str]:
        """Apply live readings, alerts and status changes; return the port ids not in the table."""
        unknown: set[str] = set()
        changed: set[int] = set()
        for reading in batch.readings:
            position = self._index.get(reading.port_id)
            if position is None:
                unknown.add(reading.port_id)
                continue
            row = self._rows[position]
            if row.last_seen is None or reading.timestamp >= row.last_seen:
                row.voltage, row.current = reading.voltage, reading.current
                row.power, row.last_seen = reading.power, reading.timestamp
            row.port_status, row.phantom = reading.port_status, reading.phantom
            changed.add(position)
        for alert in batch.alerts:
            position = self._index.get(alert.port_id)
            if position is not None and not alert.cut:
                self._rows[position].phantom = True
                changed.add(position)
        for change in batch.status_changes:
            position = self._index.get(change.port_id)
            if position is None:
                unknown.add(change.port_id)
                continue
            row = self._rows[position]
            row.port_status = change.status
            if change.status != PORT_ACTIVE:
                row.phantom = False
            changed.add(position)
        for position in sorted(changed):
            self._row_changed(position, Column.VOLTAGE, Column.LAST_SEEN)
        return unknown

    def _insert(self, row: PortRow) -> None:
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(row)
        self._index[row.id] = position
        self.endInsertRows()

    def _reindex(self) -> None:
        self._index = {row.id: position for position, row in enumerate(self._rows)}

    def _row_changed(self, position: int, first: Column, last: Column) -> None:
        self.dataChanged.emit(self.index(position, first), self.index(position, last))
