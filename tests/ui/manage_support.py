"""What the management tests share: driving widgets as a user would, and posting readings."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDoubleSpinBox, QLineEdit, QTableView, QWidget

from phantom_desktop.ui.common.keyed_model import KEY_ROLE

TIMEOUT_MS = 5000


def click(qtbot, button: QAbstractButton) -> None:
    assert button.isEnabled(), f"{button.text()!r} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    """Replace what the field holds by typing."""
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def type_number(qtbot, spin: QDoubleSpinBox, value: str) -> None:
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), value)


def select_row(qtbot, table: QTableView, key: object) -> None:
    """Click the row whose key is `key` (through the view's sorting proxy)."""
    model = table.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(KEY_ROLE) == key:
            rect = table.visualRect(index)
            qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            assert table.selectionModel().isRowSelected(row)
            return
    raise AssertionError(f"no row {key!r} in {table.objectName()}")


DialogT = TypeVar("DialogT", bound=QWidget)


def wait_dialog(qtbot, view: Any, kind: type[DialogT]) -> DialogT:
    """The dialog of `kind` that `view` opened, once it is shown."""
    qtbot.waitUntil(
        lambda: isinstance(view.dialog, kind) and view.dialog.isVisible(), timeout=TIMEOUT_MS
    )
    dialog = view.dialog
    assert isinstance(dialog, kind)
    return dialog


def post_reading(base_url: str, token: str, port_id: str, power: float = 42.0) -> tuple[int, dict]:
    """POST one reading as a device does; the status code and the JSON answer."""
    body = {"deviceToken": token, "portId": port_id, "voltage": 230.0, "current": power / 230}
    body["power"] = power
    request = urllib.request.Request(
        base_url + "/api/sensor/reading",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)
