"""Custom painting of table and list items: status badges and two-line alert cards."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from phantom_desktop.store.window_queries import AlertInfo
from phantom_desktop.ui.common import formatting, palette

_AnyIndex = QModelIndex | QPersistentModelIndex

_WRAP = int(Qt.TextFlag.TextWordWrap)


class _PaintedDelegate(QStyledItemDelegate):
    def _draw_background(
        self, painter: QPainter, option: QStyleOptionViewItem, index: _AnyIndex
    ) -> None:
        """The item's panel (selection, alternate rows) as the style draws it, without text."""
        panel = QStyleOptionViewItem(option)
        self.initStyleOption(panel, index)
        panel.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, panel, painter, widget)


class StatusBadgeDelegate(_PaintedDelegate):
    """Draws a port status as a rounded badge; `status_role` gives "active"/"off"/"phantom"."""

    def __init__(self, status_role: int, parent=None) -> None:
        super().__init__(parent)
        self._status_role = status_role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _AnyIndex) -> None:
        self._draw_background(painter, option, index)
        status = index.data(self._status_role)
        text = index.data()
        background, foreground = palette.badge(status)
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        metrics = QFontMetrics(font)
        height = metrics.height() + 4
        width = metrics.horizontalAdvance(text) + 18
        center = QRectF(option.rect).center()
        rect = QRectF(center.x() - width / 2, center.y() - height / 2, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setFont(font)
        painter.setPen(foreground)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


def short_message(info: AlertInfo) -> str:
    """The message without its "Phantom power on <port>: " lead, which the card shows."""
    lead = f"Phantom power on {info.port_name}: "
    return info.message[len(lead) :] if info.message.startswith(lead) else info.message


class AlertCardDelegate(_PaintedDelegate):
    """Two lines per alert: port (bold) and time, then the wrapped message; a dot if unread."""

    PADDING = 8
    DOT = 8
    GAP = 3

    def __init__(self, alert_role: int, parent=None) -> None:
        super().__init__(parent)
        self._alert_role = alert_role

    def _text_width(self, option: QStyleOptionViewItem) -> int:
        widget = option.widget
        width = (
            widget.viewport().width()
            if isinstance(widget, QAbstractItemView)
            else option.rect.width()
        )
        return max(60, width - 3 * self.PADDING - self.DOT)

    def sizeHint(self, option: QStyleOptionViewItem, index: _AnyIndex) -> QSize:
        info: AlertInfo = index.data(self._alert_role)
        width = self._text_width(option)
        title = QFontMetrics(self._title_font(option)).height()
        message = QFontMetrics(option.font).boundingRect(
            QRect(0, 0, width, 10_000), _WRAP, short_message(info)
        )
        return QSize(width, 2 * self.PADDING + title + self.GAP + message.height())

    def _title_font(self, option: QStyleOptionViewItem) -> QFont:
        font = QFont(option.font)
        font.setBold(True)
        return font

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _AnyIndex) -> None:
        self._draw_background(painter, option, index)
        info: AlertInfo = index.data(self._alert_role)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colors = option.palette
        text = colors.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = text if selected else colors.color(QPalette.ColorRole.PlaceholderText)
        title_font = self._title_font(option)
        title_height = QFontMetrics(title_font).height()
        left = option.rect.left() + 2 * self.PADDING + self.DOT
        top = option.rect.top() + self.PADDING
        width = self._text_width(option)
        right = left + width

        painter.save()
        if not info.is_read:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(palette.UNREAD))
            dot_top = top + (title_height - self.DOT) / 2
            painter.drawEllipse(
                QRectF(option.rect.left() + self.PADDING, dot_top, self.DOT, self.DOT)
            )
        time_text = formatting.local_time(info.time)
        time_width = QFontMetrics(option.font).horizontalAdvance(time_text)
        painter.setFont(option.font)
        painter.setPen(muted)
        painter.drawText(
            QRect(right - time_width, top, time_width, title_height),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            time_text,
        )
        title_width = width - time_width - 12
        painter.setFont(title_font)
        painter.setPen(text)
        painter.drawText(
            QRect(left, top, title_width, title_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(title_font).elidedText(
                info.port_name, Qt.TextElideMode.ElideRight, title_width
            ),
        )
        painter.setFont(option.font)
        painter.setPen(text if not info.is_read else muted)
        message_top = top + title_height + self.GAP
        painter.drawText(
            QRect(left, message_top, width, option.rect.bottom() - message_top),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | _WRAP,
            short_message(info),
        )
        painter.restore()
