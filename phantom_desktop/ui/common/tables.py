"""Sorted, read-only tables of keyed models, and selecting rows by key through the proxy."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QTableView, QWidget

from phantom_desktop.ui.common.keyed_model import KEY_ROLE, SORT_ROLE, KeyedTableModel
from phantom_desktop.ui.common.widgets import table_view


def sorted_table(model: KeyedTableModel, column: int, parent: QWidget) -> QTableView:
    """A read-only table of `model` behind a sorting proxy, sorted by `column`."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    view = table_view(parent)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    view.verticalHeader().setDefaultSectionSize(28)
    return view


def selected_key(view: QTableView) -> Hashable | None:
    rows = view.selectionModel().selectedRows()
    return rows[0].data(KEY_ROLE) if rows else None


def select_key(view: QTableView, key: Hashable) -> bool:
    model = view.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data(KEY_ROLE) == key:
            view.selectRow(row)
            view.scrollTo(model.index(row, 0))
            return True
    return False


def show_columns(view: QTableView, columns: Sequence[int]) -> None:
    """Show only `columns` of the view's model, in that order (a model shared by two views)."""
    header = view.horizontalHeader()
    for column in range(header.count()):
        header.setSectionHidden(column, column not in columns)
    for visual, column in enumerate(columns):
        header.moveSection(header.visualIndex(column), visual)
