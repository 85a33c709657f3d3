"""The alerts panel: phantom notifications, newest first, an unread count and "Mark all read"."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractItemView, QListView, QPushButton, QVBoxLayout, QWidget

from phantom_desktop.ui.alerts.alerts_model import ALERT_ROLE, AlertsModel
from phantom_desktop.ui.common.delegates import AlertCardDelegate
from phantom_desktop.ui.common.widgets import header_row, title_label


def alerts_title(unread: int) -> str:
    return f"Alerts ({unread})" if unread else "Alerts"


class AlertsPanel(QWidget):
    """Shows `AlertsModel` as cards; asks (by signal) to mark everything shown as read."""

    mark_all_read_requested = Signal()

    def __init__(self, model: AlertsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._busy = False
        self.title = title_label(alerts_title(model.unread_count))
        self.mark_all_read_button = QPushButton("Mark all read")
        self.mark_all_read_button.clicked.connect(self.mark_all_read_requested)

        self.view = QListView(self)
        self.view.setObjectName("alertsList")
        self.view.setModel(model)
        self.view.setItemDelegate(AlertCardDelegate(ALERT_ROLE, self.view))
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)  # re-wrap on width changes
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header_row(self.title, self.mark_all_read_button))
        layout.addWidget(self.view)

        model.unread_count_changed.connect(self._show_unread)
        self._show_unread(model.unread_count)

    def set_busy(self, busy: bool) -> None:
        """Disable "Mark all read" while the database is being updated."""
        self._busy = busy
        self._show_unread(self._model.unread_count)

    def _show_unread(self, unread: int) -> None:
        self.title.setText(alerts_title(unread))
        self.mark_all_read_button.setEnabled(unread > 0 and not self._busy)
