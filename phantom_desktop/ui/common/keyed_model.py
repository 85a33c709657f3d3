"""A table model of rows keyed by id that follows fresh lists in place.

Reloading a view hands over a whole new list; the model inserts, removes and announces
(`dataChanged`) only the rows that differ, so selection, sorting and scroll position survive.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)

from phantom_desktop.core.natural_sort import natural_key

SORT_ROLE = Qt.ItemDataRole.UserRole
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2  # "active", "off" or "phantom" for the badge

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
_AnyIndex = QModelIndex | QPersistentModelIndex

# Live values (watts, last reading) repaint a table at most this often: a repaint asks Python
# for every visible cell, and at a batch every 200 ms it cost a third of the GUI thread with 64
# busy ports. Changes a user acts on (status, phantom) are announced at once.
LIVE_REPAINT_MS = 1000


class Keyed(Protocol):
    """A row: anything with an `id` (compared with == to see whether it changed)."""

    @property
    def id(self) -> Hashable: ...


RowT = TypeVar("RowT", bound=Keyed)


class KeyedTableModel(QAbstractTableModel, Generic[RowT]):
    """Subclasses set `HEADERS` and implement `display`; rows are objects with an `id`."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RowT] = []
        self._index: dict[Hashable, int] = {}
        self._pending: tuple[int, int, int, int] | None = None  # rows and columns to repaint
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(LIVE_REPAINT_MS)
        self._repaint.timeout.connect(self._flush_repaint)

    # -- what subclasses describe ---------------------------------------------------------------
    def display(self, row: RowT, column: int) -> str:
        raise NotImplementedError

    def sort_value(self, row: RowT, column: int) -> Any:
        """Text sorts naturally ("w-2" before "w-10"); subclasses give numbers for numbers."""
        return natural_key(self.display(row, column))

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        return LEFT

    def other_role(self, row: RowT, column: int, role: int) -> Any:
        """Tooltips, fonts, colours, badges: None unless a subclass says otherwise."""
        return None

    # -- Qt's questions -------------------------------------------------------------------------
    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(section)
        return None

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, index.column())
        if role == SORT_ROLE:
            return self.sort_value(row, index.column())
        if role == KEY_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(index.column())
        return self.other_role(row, index.column(), role)

    # -- rows -----------------------------------------------------------------------------------
    def rows(self) -> list[RowT]:
        return list(self._rows)

    def row(self, key: Hashable) -> RowT | None:
        position = self._index.get(key)
        return None if position is None else self._rows[position]

    def set_rows(self, rows: Iterable[RowT]) -> None:
        """Follow a fresh list: drop rows not in it, update changed ones, append new ones."""
        rows = list(rows)
        wanted = {row.id for row in rows}
        for position in reversed(range(len(self._rows))):
            if self._rows[position].id not in wanted:
                self._remove_at(position)
        for row in rows:
            self.put(row)

    def put(self, row: RowT) -> None:
        """Insert a row, or replace the row with its id (announced only if it differs)."""
        position = self._index.get(row.id)
        if position is None:
            position = len(self._rows)
            self.beginInsertRows(QModelIndex(), position, position)
            self._rows.append(row)
            self._index[row.id] = position
            self.endInsertRows()
        elif self._rows[position] != row:
            self._rows[position] = row
            self.row_changed(position)

    def _remove_at(self, position: int) -> None:
        self.beginRemoveRows(QModelIndex(), position, position)
        del self._rows[position]
        self._index = {row.id: index for index, row in enumerate(self._rows)}
        self.endRemoveRows()  # listeners may look rows up by key: the index is current

    def replace_at(self, position: int, row: RowT, first: int, last: int) -> None:
        """Swap in a changed row (same id) and announce only columns `first`…`last`."""
        self._rows[position] = row
        self.row_changed(position, first, last)

    def replace_many(
        self, rows: dict[int, RowT], first: int, last: int, urgent: bool = True
    ) -> None:
        """Swap in changed rows (same ids) and announce them with one signal, not one per row:
        live batches change many rows, and every signal runs its slots on the GUI thread.
        Unless `urgent`, the announcement waits until `LIVE_REPAINT_MS` after the last one."""
        if not rows:
            return
        for position, row in rows.items():
            self._rows[position] = row
        span = (min(rows), max(rows), first, last)
        if self._pending is not None:
            low, high, left, right = self._pending
            span = (min(low, span[0]), max(high, span[1]), min(left, first), max(right, last))
        self._pending = span
        if urgent or not self._repaint.isActive():
            self._flush_repaint()

    def _flush_repaint(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        low, high, first, last = pending
        high = min(high, len(self._rows) - 1)  # rows may have gone since
        if low <= high:
            self.dataChanged.emit(self.index(low, first), self.index(high, last))
        self._repaint.start()

    def position(self, key: Hashable) -> int | None:
        return self._index.get(key)

    def row_changed(self, position: int, first: int = 0, last: int | None = None) -> None:
        last = len(self.HEADERS) - 1 if last is None else last
        self.dataChanged.emit(self.index(position, first), self.index(position, last))
