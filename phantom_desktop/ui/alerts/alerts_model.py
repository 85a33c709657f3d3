"""The alerts list: phantom notifications, newest first, with an unread count."""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from phantom_desktop.ingest.messages import PhantomAlert
from phantom_desktop.store.window_queries import AlertInfo
from phantom_desktop.ui.common import formatting

MAX_ROWS = 500
ALERT_ROLE = Qt.ItemDataRole.UserRole  # the row's AlertInfo
_AnyIndex = QModelIndex | QPersistentModelIndex


class AlertColumn(enum.IntEnum):
    TIME = 0
    PORT = 1
    MESSAGE = 2


HEADERS = {AlertColumn.TIME: "Time", AlertColumn.PORT: "Port", AlertColumn.MESSAGE: "Message"}


def _newest_first(info: AlertInfo) -> tuple[float, int]:
    return (-info.time.timestamp(), -info.notification_id)


def alert_info(alert: PhantomAlert) -> AlertInfo:
    """The panel's view of an alert that just arrived from the writer."""
    return AlertInfo(
        alert.notification_id, alert.port_id, alert.port_name, alert.detected_at, alert.message
    )


class AlertsModel(QAbstractTableModel):
    """Keeps at most MAX_ROWS alerts, newest first, and counts the unread ones."""

    unread_count_changed = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[AlertInfo] = []
        self._ids: set[int] = set()
        self._deleted_ports: set[str] = set()
        self._unread = 0

    @property
    def unread_count(self) -> int:
        return self._unread

    def newest_id(self) -> int | None:
        """The highest notification id shown: "mark all read" covers it and everything older."""
        return max(self._ids) if self._ids else None

    def alert_at(self, position: int) -> AlertInfo:
        return self._rows[position]

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AlertColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[AlertColumn(section)]
        return None

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self._rows[index.row()]
        column = AlertColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column == AlertColumn.TIME:
                return formatting.local_time(info.time)
            return info.port_name if column == AlertColumn.PORT else info.message
        if role == ALERT_ROLE:
            return info
        if role == Qt.ItemDataRole.ToolTipRole:
            return info.message
        return None

    def add(self, infos: Iterable[AlertInfo]) -> None:
        """Insert alerts not shown yet, newest first; drop the oldest beyond MAX_ROWS.

        Order is by detection time, then id: a device that replays buffered readings can
        raise an alert that is newer in the database but older in time.
        """
        fresh = sorted(
            (
                info
                for info in infos
                if info.notification_id not in self._ids and info.port_id not in self._deleted_ports
            ),
            key=_newest_first,
        )
        if not fresh:
            return
        self._ids |= {info.notification_id for info in fresh}
        if not self._rows or _newest_first(fresh[-1]) <= _newest_first(self._rows[0]):
            self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)  # the usual case
            self._rows[:0] = fresh
            self.endInsertRows()
        else:
            for info in fresh:
                position = bisect.bisect_left(self._rows, _newest_first(info), key=_newest_first)
                self.beginInsertRows(QModelIndex(), position, position)
                self._rows[position:position] = [info]
                self.endInsertRows()
        if len(self._rows) > MAX_ROWS:
            self.beginRemoveRows(QModelIndex(), MAX_ROWS, len(self._rows) - 1)
            for info in self._rows[MAX_ROWS:]:
                self._ids.discard(info.notification_id)
            del self._rows[MAX_ROWS:]
            self.endRemoveRows()
        self._recount()

    def mark_read(self, up_to_id: int) -> None:
        """Show alerts up to `up_to_id` as read (after the database says so)."""
        self._set_read(lambda info: info.notification_id <= up_to_id)

    def mark_ids_read(self, ids: Collection[int]) -> None:
        """Show these alerts as read (after the database says so)."""
        self._set_read(lambda info: info.notification_id in ids)

    def remove_port(self, port_id: str) -> None:
        """Drop the alerts of a deleted port: the database deleted them with it. Its alerts
        still on their way from the live feed are dropped when they arrive."""
        self._deleted_ports.add(port_id)
        for position in reversed(range(len(self._rows))):
            if self._rows[position].port_id == port_id:
                self.beginRemoveRows(QModelIndex(), position, position)
                self._ids.discard(self._rows.pop(position).notification_id)
                self.endRemoveRows()
        self._recount()

    def _set_read(self, wanted: Callable[[AlertInfo], bool]) -> None:
        changed = [
            position
            for position, info in enumerate(self._rows)
            if not info.is_read and wanted(info)
        ]
        for position in changed:
            self._rows[position] = replace(self._rows[position], is_read=True)
        if changed:
            last = len(AlertColumn) - 1
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], last))
        self._recount()

    def _recount(self) -> None:
        unread = sum(not info.is_read for info in self._rows)
        if unread != self._unread:
            self._unread = unread
            self.unread_count_changed.emit(unread)
