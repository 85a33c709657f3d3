"""The Settings dialog's list of configured serial meters (stored entries, valid or not)."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from phantom_desktop.ingest.serial.config import SerialConfigError, SerialSourceConfig
from phantom_desktop.store.serial_choices import Choices
from phantom_desktop.ui.common import palette
from phantom_desktop.ui.settings.serial_labels import plural, protocol_name

_AnyIndex = QModelIndex | QPersistentModelIndex


class SourceColumn(enum.IntEnum):
    NAME = 0
    METER = 1
    PORT = 2
    DEVICE = 3
    CHANNELS = 4


HEADERS = {
    SourceColumn.NAME: "Name",
    SourceColumn.METER: "Meter",
    SourceColumn.PORT: "Port",
    SourceColumn.DEVICE: "Device",
    SourceColumn.CHANNELS: "Feeds",
}


def problem(entry: dict) -> str | None:
    try:
        SerialSourceConfig.from_dict(entry)
    except SerialConfigError as exc:
        return str(exc)
    return None


class SerialSourcesModel(QAbstractTableModel):
    """Rows are settings entries (dicts) in file order; edits change only their row."""

    def __init__(self, entries: list, parent=None) -> None:
        super().__init__(parent)
        self._entries: list = list(entries)
        self._choices = Choices([], [])

    def entries(self) -> list:
        return list(self._entries)

    def entry(self, row: int) -> dict:
        return self._entries[row]

    def set_choices(self, choices: Choices) -> None:
        """Device and port names, once loaded."""
        self._choices = choices
        if self._entries:
            last = self.index(len(self._entries) - 1, SourceColumn.CHANNELS)
            self.dataChanged.emit(self.index(0, 0), last)

    def add(self, entry: dict) -> int:
        row = len(self._entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self._entries.append(entry)
        self.endInsertRows()
        return row

    def replace(self, row: int, entry: dict) -> None:
        self._entries[row] = entry
        self.dataChanged.emit(self.index(row, 0), self.index(row, SourceColumn.CHANNELS))

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._entries[row]
        self.endRemoveRows()

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(SourceColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[SourceColumn(section)]
        return None

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        if not isinstance(entry, dict):
            entry = {}
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, SourceColumn(index.column()))
        invalid = problem(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Needs fixing: {invalid}" if invalid else None
        if role == Qt.ItemDataRole.ForegroundRole and invalid:
            return palette.error_text()
        return None

    def _display(self, entry: dict, column: SourceColumn) -> str:
        match column:
            case SourceColumn.NAME:
                name = str(entry.get("name", ""))
                return name if entry.get("enabled", True) is not False else f"{name} (paused)"
            case SourceColumn.METER:
                return protocol_name(str(entry.get("protocol", "")))
            case SourceColumn.PORT:
                usb = entry.get("usb")
                return str(entry.get("port") or ("USB adapter" if usb else ""))
            case SourceColumn.DEVICE:
                device_id = str(entry.get("device_id", ""))
                return self._choices.device_name(device_id) or device_id
            case SourceColumn.CHANNELS:
                channels = entry.get("channels")
                channels = channels if isinstance(channels, dict) else {}
                if entry.get("protocol") == "jsonl":
                    return "ports named in its lines"
                names = [self._choices.port_name(str(p)) for p in channels.values()]
                if len(names) <= 2 and all(names):
                    return ", ".join(name for name in names if name)
                return plural(len(channels), "port")
