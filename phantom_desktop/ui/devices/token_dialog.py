"""Shows a new device token once, with Copy and ready-to-paste commands that use it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from phantom_desktop.core.snippets import snippets
from phantom_desktop.store.window_queries import NewToken
from phantom_desktop.ui.common import palette
from phantom_desktop.ui.common.widgets import muted_label, title_label

PORT_PLACEHOLDER = "PORT_ID"


class CopyButton(QPushButton):
    """Copies a text to the clipboard and says so for a moment."""

    def __init__(self, text: str, label: str = "Copy", parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self._text = text
        self._label = label
        self.clicked.connect(self.copy)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._text)
        self.setText("Copied")
        QTimer.singleShot(1500, self, lambda: self.setText(self._label))


def _code_box(text: str, lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit(text)
    box.setReadOnly(True)
    box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    box.setFrameShape(QFrame.Shape.StyledPanel)
    height = box.fontMetrics().lineSpacing() * lines + 14
    box.setFixedHeight(height)
    return box


class TokenDialog(QDialog):
    """The one and only time a token is shown: the token, its Copy button and two snippets."""

    def __init__(self, new: NewToken, base_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Token for {new.device_name}")
        self.token = new.token
        port_id = new.port_id or PORT_PLACEHOLDER
        commands = snippets(new.token, port_id, base_url)

        heading = f"New token for {new.device_name}"
        if new.rotated:
            heading += " — the old one no longer works"
        warning = QLabel(
            "Copy the token now and put it in the device: this is the only time it is shown. "
            "Phantom Desktop keeps only a hash of it."
        )
        warning.setWordWrap(True)
        warning.setStyleSheet(palette.warning_box_style())

        self.token_edit = QLineEdit(new.token)
        self.token_edit.setReadOnly(True)
        self.token_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.token_edit.setMinimumWidth(440)
        self.copy_button = CopyButton(new.token, "Copy token")
        self.copy_button.setDefault(True)

        if new.port_id:
            intro = f"Try it from this computer: send one reading for the port {new.port_name!r}."
        else:
            intro = (
                f"{new.device_name} feeds no port yet: add one (Ports → Add port) and put its ID "
                f"in place of {PORT_PLACEHOLDER}."
            )
        self.sim_box = _code_box(commands.phantom_sim, 3)
        self.curl_box = _code_box(commands.curl, 5)
        self.copy_sim_button = CopyButton(commands.phantom_sim)
        self.copy_curl_button = CopyButton(commands.curl)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        grid.addWidget(QLabel("Token:"), 0, 0)
        grid.addWidget(self.token_edit, 0, 1)
        grid.addWidget(self.copy_button, 0, 2)
        grid.setRowMinimumHeight(1, 8)
        grid.addWidget(title_label("Try it"), 2, 0, 1, 3)
        grid.addWidget(muted_label(intro), 3, 0, 1, 3)
        snippet_rows = (
            ("phantom-sim:", self.sim_box, self.copy_sim_button),
            ("curl:", self.curl_box, self.copy_curl_button),
        )
        for row, (label, box, button) in enumerate(snippet_rows, start=4):
            grid.addWidget(QLabel(label), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(box, row, 1)
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(12)
        layout.addWidget(title_label(heading))
        layout.addWidget(warning)
        layout.addLayout(grid)
        layout.addWidget(buttons)
        self.resize(760, self.sizeHint().height())
