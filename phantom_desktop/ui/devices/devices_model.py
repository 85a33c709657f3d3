"""The devices table: name, id, ports, last reading and token state, one row per device."""

from __future__ import annotations

import enum
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase

from phantom_desktop.core.enums import TokenState
from phantom_desktop.store.summaries import DeviceSummary
from phantom_desktop.ui.common import formatting, palette
from phantom_desktop.ui.common.keyed_model import RIGHT, KeyedTableModel


class DeviceColumn(enum.IntEnum):
    NAME = 0
    ID = 1
    PORTS = 2
    LAST_READING = 3
    TOKEN = 4


def token_color(state: str) -> QColor:
    if state == TokenState.ACTIVE:
        return palette.success_text()
    return palette.error_text() if state == TokenState.REVOKED else palette.warning_text()


def token_text(device: DeviceSummary) -> str:
    if device.token_state == TokenState.ACTIVE:
        return f"Active · {device.token_prefix}…"
    if device.token_state == TokenState.REVOKED:
        return "Revoked"
    return "No token"


class DevicesModel(KeyedTableModel):
    """Rows are `DeviceSummary`s; live readings move "Last reading" forward in place."""

    HEADERS = ("Device", "ID", "Ports", "Last reading", "Token")

    def display(self, row: DeviceSummary, column: int) -> str:
        match column:
            case DeviceColumn.NAME:
                return row.name
            case DeviceColumn.ID:
                return row.id
            case DeviceColumn.PORTS:
                return str(row.port_count)
            case DeviceColumn.LAST_READING:
                return formatting.local_time(row.last_reading_at)
            case _:
                return token_text(row)

    def sort_value(self, row: DeviceSummary, column: int) -> Any:
        if column == DeviceColumn.PORTS:
            return row.port_count
        if column == DeviceColumn.LAST_READING:
            return row.last_reading_at.timestamp() if row.last_reading_at else float("-inf")
        return super().sort_value(row, column)

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        return (
            RIGHT
            if column in (DeviceColumn.PORTS, DeviceColumn.LAST_READING)
            else super().alignment(column)
        )

    def other_role(self, row: DeviceSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and column == DeviceColumn.ID:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if role == Qt.ItemDataRole.ForegroundRole and column == DeviceColumn.TOKEN:
            return token_color(row.token_state)
        if role == Qt.ItemDataRole.ToolTipRole and column == DeviceColumn.TOKEN:
            if row.token_prefix is None:
                return "Generate a token so the device can send readings"
            used = row.token_last_used_at
            return "Never used" if used is None else f"Last used {formatting.local_time(used)}"
        return None

    def saw_readings(self, newest: dict[str, datetime]) -> None:
        """Readings of these devices' ports were committed, the newest at these times."""
        changed = {}
        for device_id, at in newest.items():
            position = self.position(device_id)
            if position is None:
                continue
            row: DeviceSummary = self._rows[position]
            if row.last_reading_at is None or at > row.last_reading_at:
                changed[position] = replace(row, last_reading_at=at)
        self.replace_many(
            changed, DeviceColumn.LAST_READING, DeviceColumn.LAST_READING, urgent=False
        )
