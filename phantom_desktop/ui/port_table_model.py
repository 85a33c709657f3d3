"""The ports view's table: each port's rules, status and latest power, updated in place."""

from __future__ import annotations

import enum
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPalette

from phantom_desktop.ingest.messages import CommittedBatch, StoredReading
from phantom_desktop.store.models import PORT_ACTIVE, PORT_OFF
from phantom_desktop.store.summaries import PortSummary
from phantom_desktop.ui import formatting
from phantom_desktop.ui.keyed_model import CENTER, RIGHT, STATUS_ROLE, KeyedTableModel

ACTIVE, OFF, PHANTOM = "active", "off", "phantom"


class PortColumn(enum.IntEnum):
    NAME = 0
    DEVICE = 1
    ID = 2
    THRESHOLD = 3
    MIN_DURATION = 4
    AUTO_CUT = 5
    STATUS = 6
    POWER = 7


def port_state(port: PortSummary) -> str:
    """What the badge shows: off, phantom (standby going on now) or active."""
    if port.status == PORT_OFF:
        return OFF
    return PHANTOM if port.in_phantom else ACTIVE


def duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


_NUMERIC = {PortColumn.THRESHOLD, PortColumn.MIN_DURATION, PortColumn.POWER}
_LIVE = (PortColumn.STATUS, PortColumn.POWER)  # the columns a committed batch can change


class PortTableModel(KeyedTableModel):
    """Rows are `PortSummary`s; `apply_batch` changes only the rows and columns it touches."""

    HEADERS = (
        "Port",
        "Device",
        "ID",
        "Threshold",
        "Min. duration",
        "Auto-cut",
        "Status",
        "Latest power",
    )

    def display(self, row: PortSummary, column: int) -> str:
        match column:
            case PortColumn.NAME:
                return row.name
            case PortColumn.DEVICE:
                return row.device_name or "(no device)"
            case PortColumn.ID:
                return row.id
            case PortColumn.THRESHOLD:
                return formatting.threshold(row.threshold_w)
            case PortColumn.MIN_DURATION:
                return duration(row.min_duration_s)
            case PortColumn.AUTO_CUT:
                return "Cut" if row.auto_cut else "Report only"
            case PortColumn.STATUS:
                return port_state(row).capitalize()
            case _:
                return formatting.watts(row.latest_power_w)

    def sort_value(self, row: PortSummary, column: int) -> Any:
        match column:
            case PortColumn.THRESHOLD:
                return row.threshold_w
            case PortColumn.MIN_DURATION:
                return row.min_duration_s
            case PortColumn.POWER:
                return float("-inf") if row.latest_power_w is None else row.latest_power_w
        return super().sort_value(row, column)

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        if column in (PortColumn.STATUS, PortColumn.AUTO_CUT):
            return CENTER
        return RIGHT if column in _NUMERIC else super().alignment(column)

    def other_role(self, row: PortSummary, column: int, role: int) -> Any:
        if role == STATUS_ROLE:
            return port_state(row)
        if role == Qt.ItemDataRole.FontRole and column == PortColumn.ID:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        no_device = column == PortColumn.DEVICE and row.device_name is None
        if role == Qt.ItemDataRole.ForegroundRole and no_device:
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role != Qt.ItemDataRole.ToolTipRole:
            return None
        match column:
            case PortColumn.THRESHOLD:
                return "Standby (phantom) power is anything above 0 W and below this"
            case PortColumn.MIN_DURATION:
                return "How long standby must last before it counts as phantom power"
            case PortColumn.AUTO_CUT:
                if row.auto_cut:
                    return "Phantom power turns this port off"
                return "Phantom power is only reported: the port stays on"
            case PortColumn.POWER:
                return f"Last reading: {formatting.local_time(row.last_reading_at)}"
        return None

    def apply_batch(self, batch: CommittedBatch) -> None:
        """Follow committed readings, phantom alerts and status changes of the listed ports."""
        changed: dict[int, PortSummary] = {}

        def current(position: int) -> PortSummary:
            return changed.get(position, self._rows[position])

        newest: dict[str, StoredReading] = {}  # per port: the latest timestamp (later wins ties)
        last: dict[str, StoredReading] = {}  # per port: the last committed (status, phantom)
        for reading in batch.readings:  # a dict step per reading: this runs on the GUI thread
            seen = newest.get(reading.port_id)
            if seen is None or reading.timestamp >= seen.timestamp:
                newest[reading.port_id] = reading
            last[reading.port_id] = reading
        for port_id, reading in last.items():
            position = self.position(port_id)
            if position is None:
                continue
            row, latest = current(position), newest[port_id]
            if row.last_reading_at is None or latest.timestamp >= row.last_reading_at:
                row = replace(row, latest_power_w=latest.power, last_reading_at=latest.timestamp)
            changed[position] = replace(row, status=reading.port_status, in_phantom=reading.phantom)
        for alert in batch.alerts:
            position = self.position(alert.port_id)
            if position is not None and not alert.cut:
                changed[position] = replace(current(position), in_phantom=True)
        for change in batch.status_changes:
            position = self.position(change.port_id)
            if position is not None:
                row = current(position)
                phantom = row.in_phantom and change.status == PORT_ACTIVE
                changed[position] = replace(row, status=change.status, in_phantom=phantom)
        really = {p: row for p, row in changed.items() if row != self._rows[p]}
        self.replace_many(really, _LIVE[0], _LIVE[-1])
