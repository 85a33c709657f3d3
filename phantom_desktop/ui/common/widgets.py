"""Shared look of the window's panels: a bold title row with actions on the right."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QWidget,
)


def title_label(text: str) -> QLabel:
    """A section title; the app style sheet styles it as role "heading"."""
    label = QLabel(text)
    label.setProperty("role", "heading")
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def muted_label(text: str = "") -> QLabel:
    """Secondary text (hints, notes) in the palette's placeholder colour; role "muted"."""
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    palette = label.palette()
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    palette.setColor(QPalette.ColorRole.WindowText, muted)
    label.setPalette(palette)
    return label


def header_row(title: QLabel, *actions: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(2, 0, 0, 0)
    row.addWidget(title)
    row.addStretch(1)
    for action in actions:
        row.addWidget(action)
    return row


def table_view(parent: QWidget | None = None) -> QTableView:
    """A read-only, row-selecting table with bold headers and no row numbers."""
    view = QTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header: QHeaderView = view.horizontalHeader()
    font = header.font()
    font.setBold(True)
    header.setFont(font)
    header.setHighlightSections(False)
    return view
