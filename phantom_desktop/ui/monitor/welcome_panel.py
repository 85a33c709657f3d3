"""The first-run greeting shown instead of an empty plot: what to do next, one click each."""

from __future__ import annotations

import sys

from PySide6.QtCore import QProcess, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.ui.common.widgets import muted_label, title_label


def demo_command() -> tuple[str, list[str]]:
    """How to start this same installation in demo mode (a pip install or a bundle)."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["--demo"]
    return sys.executable, ["-m", "phantom_desktop", "--demo"]


def _step(text: str, action: QWidget | None = None) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(18)
    label = QLabel(text)
    label.setWordWrap(True)
    row.addWidget(label, 1)
    if action is not None:
        row.addWidget(action, 0, Qt.AlignmentFlag.AlignVCenter)
    return row


class WelcomePanel(QWidget):
    """Greets a user whose database has no ports yet, with the three steps to a first alert."""

    add_device_requested = Signal()
    add_port_requested = Signal()

    def __init__(self, reading_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMinimumWidth(420)
        card.setMaximumWidth(760)
        steps = QVBoxLayout(card)
        steps.setContentsMargins(24, 20, 24, 20)
        steps.setSpacing(14)
        steps.addWidget(title_label("Welcome to Phantom Desktop"))
        steps.addWidget(
            muted_label(
                "Nothing is measured yet. Three steps connect your first smart plug or sensor "
                "script; its power then shows here live, and standby draw raises an alert."
            )
        )
        self.add_device_button = QPushButton("Add a device…")
        self.add_port_button = QPushButton("Add a port…")
        self.demo_button = QPushButton("Open the demo")
        self.url_label = QLabel(f"<code>POST {reading_url}</code>")
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_label.setContentsMargins(18, 0, 0, 0)
        steps.addLayout(
            _step(
                "<b>1.</b> Add a device and generate its token (shown once).",
                self.add_device_button,
            )
        )
        steps.addLayout(
            _step(
                "<b>2.</b> Add a port for each socket it measures, with its standby threshold.",
                self.add_port_button,
            )
        )
        steps.addLayout(
            _step("<b>3.</b> Let the device post its readings (token, port id, V, A, W) to:")
        )
        steps.addWidget(self.url_label)
        steps.addLayout(
            _step(
                "Or see it work first: the demo opens a second window with simulated "
                "appliances and raises an alert within a minute.",
                self.demo_button,
            )
        )

        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

        self.add_device_button.clicked.connect(self.add_device_requested)
        self.add_port_button.clicked.connect(self.add_port_requested)
        self.demo_button.clicked.connect(self.open_demo)

    def open_demo(self) -> bool:
        """Start the demo as a separate process (its own database and port); True if started."""
        program, arguments = demo_command()
        started, _pid = QProcess.startDetached(program, arguments)
        return started
