"""A system-tray icon that announces each new phantom event, where the desktop has a tray."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from phantom_desktop.ingest.messages import PhantomAlert

MESSAGE_MS = 10_000


def alert_title(alert: PhantomAlert) -> str:
    return f"Phantom power: {alert.port_name}"


def alert_text(alert: PhantomAlert) -> str:
    action = "The port was turned off." if alert.cut else "Auto-cut is off: the port stays on."
    return f"{alert.power_w:.1f} W on standby (threshold {alert.threshold_w:g} W). {action}"


class TrayNotifier(QObject):
    """Shows one tray message per alert; does nothing where there is no tray (offscreen, some
    desktops). Clicking the icon or a message asks for the window (`activated`)."""

    activated = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = QSystemTrayIcon(icon, self)
            self.icon.setToolTip("Phantom Desktop")
            self.icon.activated.connect(lambda _reason: self.activated.emit())
            self.icon.messageClicked.connect(self.activated)
            self.icon.show()

    def notify(self, alerts: Iterable[PhantomAlert]) -> None:
        if self.icon is None:
            return
        for alert in alerts:
            self.icon.showMessage(
                alert_title(alert),
                alert_text(alert),
                QSystemTrayIcon.MessageIcon.Warning,
                MESSAGE_MS,
            )

    def hide(self) -> None:
        """Take the icon out of the tray (when the window closes)."""
        if self.icon is not None:
            self.icon.hide()
