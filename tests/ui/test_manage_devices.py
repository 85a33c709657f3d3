"""Devices tab: add, rename, delete; tokens generated, rotated and revoked, checked over HTTP."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from phantom_desktop.app import start_http
from phantom_desktop.core.credentials import hash_token
from phantom_desktop.store.models import Device, DeviceToken, Port
from phantom_desktop.ui.common.confirm import ConfirmBox
from phantom_desktop.ui.devices.device_dialog import DeviceDialog
from phantom_desktop.ui.devices.token_dialog import TokenDialog
from phantom_desktop.ui.ports.port_dialog import PortDialog
from tests.ui.manage_support import (
    TIMEOUT_MS,
    click,
    post_reading,
    select_row,
    type_into,
    type_number,
    wait_dialog,
)


@pytest.fixture
def window(services, open_window):
    """The window of a running app that listens for devices on a free port."""
    start_http(services, host="127.0.0.1", port=0)
    return open_window()


def add_device(qtbot, window, name: str) -> str:
    devices = window.workspace.devices_tab
    window.workspace.setCurrentWidget(devices)
    click(qtbot, devices.add_button)
    dialog = wait_dialog(qtbot, devices, DeviceDialog)
    qtbot.keyClicks(dialog.name_edit, name)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: devices.selected_device() is not None, timeout=TIMEOUT_MS)
    assert devices.selected_device().name == name
    return devices.selected_device().id


def generate_token(qtbot, window) -> str:
    devices = window.workspace.devices_tab
    click(qtbot, devices.generate_button)
    dialog = wait_dialog(qtbot, devices, TokenDialog)
    token = dialog.token_edit.text()
    click(qtbot, dialog.copy_button)
    assert QApplication.clipboard().text() == token
    click(qtbot, dialog.close_button)
    return token


def test_add_device_token_and_port_then_a_device_posts(qtbot, services, window):
    device_id = add_device(qtbot, window, "Media plug")
    devices = window.workspace.devices_tab
    assert devices.model.row(device_id).token_state == "none"

    click(qtbot, devices.generate_button)
    dialog = wait_dialog(qtbot, devices, TokenDialog)
    token = dialog.token_edit.text()
    assert token.startswith("pdt_")
    click(qtbot, dialog.copy_button)
    assert QApplication.clipboard().text() == token
    assert "PORT_ID" in dialog.sim_box.toPlainText()  # the device feeds no port yet
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: devices.model.row(device_id).token_state == "active")
    with services.sessions() as session:
        stored = session.scalars(select(DeviceToken.token_hash)).all()
    assert stored == [hash_token(token)]  # only a hash is kept

    ports = window.workspace.ports_tab
    window.workspace.setCurrentWidget(ports)
    click(qtbot, ports.add_button)
    port_dialog = wait_dialog(qtbot, ports, PortDialog)
    qtbot.keyClicks(port_dialog.name_edit, "Living-room TV")
    port_dialog.device_combo.setCurrentIndex(port_dialog.device_combo.findText("Media plug"))
    type_number(qtbot, port_dialog.threshold_spin, "4.5")
    click(qtbot, port_dialog.save_button)
    qtbot.waitUntil(lambda: ports.model.rowCount() == 1, timeout=TIMEOUT_MS)
    port = ports.model.rows()[0]
    assert (port.name, port.device_name, port.threshold_w) == ("Living-room TV", "Media plug", 4.5)

    select_row(qtbot, ports.view, port.id)
    click(qtbot, ports.copy_id_button)
    port_id = QApplication.clipboard().text()
    assert port_id == port.id

    status, answer = post_reading(services.listen_url, token, port_id, power=87.0)
    assert status == 201, answer
    assert answer["data"]["portStatus"] == "active"
    qtbot.waitUntil(lambda: ports.model.row(port_id).power == 87.0, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: devices.model.row(device_id).last_reading_at is not None)
    qtbot.waitUntil(lambda: window.ports_model.row(port_id) is not None)  # the monitor too

    # Rotate: the old token is refused at once, the new one works.
    window.workspace.setCurrentWidget(devices)
    click(qtbot, devices.rotate_button)
    question = wait_dialog(qtbot, devices, ConfirmBox)
    assert "stops working at once" in question.text()
    click(qtbot, question.confirm_button)
    rotated = wait_dialog(qtbot, devices, TokenDialog)
    new_token = rotated.token_edit.text()
    assert new_token != token
    assert port_id in rotated.curl_box.toPlainText() and new_token in rotated.curl_box.toPlainText()
    click(qtbot, rotated.close_button)
    assert post_reading(services.listen_url, token, port_id)[0] == 401
    assert post_reading(services.listen_url, new_token, port_id)[0] == 201

    # Revoke the new token from the list: refused too.
    qtbot.waitUntil(lambda: devices.tokens.rowCount() == 2, timeout=TIMEOUT_MS)
    active = [row for row in devices.tokens.rows() if row.active]
    assert [row.prefix for row in active] == [new_token[:8]]
    select_row(qtbot, devices.tokens_view, active[0].id)
    click(qtbot, devices.revoke_button)
    click(qtbot, wait_dialog(qtbot, devices, ConfirmBox).confirm_button)
    qtbot.waitUntil(lambda: devices.model.row(device_id).token_state == "revoked")
    assert post_reading(services.listen_url, new_token, port_id)[0] == 401
    with services.sessions() as session:
        assert session.scalars(select(DeviceToken.revoked_at.is_(None))).all() == [False, False]


def test_rename_and_delete_a_device_keeps_its_ports(qtbot, services, open_window, make_plug):
    plug = make_plug("Fridge", threshold_w=3, auto_cut=False)
    plug.send(80.0, 81.0)
    window = open_window()
    devices = window.workspace.devices_tab
    window.workspace.setCurrentWidget(devices)
    qtbot.waitUntil(lambda: devices.model.rowCount() == 1, timeout=TIMEOUT_MS)
    device_id = devices.model.rows()[0].id

    select_row(qtbot, devices.view, device_id)
    click(qtbot, devices.rename_button)
    dialog = wait_dialog(qtbot, devices, DeviceDialog)
    type_into(qtbot, dialog.name_edit, "")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=TIMEOUT_MS)
    assert dialog.error_label.text() == "Device name must not be empty."
    type_into(qtbot, dialog.name_edit, "Kitchen meter")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: devices.model.row(device_id).name == "Kitchen meter")
    ports = window.workspace.ports_tab
    qtbot.waitUntil(lambda: ports.model.row(plug.port_id).device_name == "Kitchen meter")
    qtbot.waitUntil(lambda: window.ports_model.row(plug.port_id).device_name == "Kitchen meter")

    click(qtbot, devices.delete_button)
    question = wait_dialog(qtbot, devices, ConfirmBox)
    assert "Delete the device 'Kitchen meter'?" in question.text()
    assert "'Fridge'" in question.text() and "2 readings" in question.text()
    click(qtbot, question.confirm_button)
    qtbot.waitUntil(lambda: devices.model.rowCount() == 0, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: ports.model.row(plug.port_id).device_id is None)
    with services.sessions() as session:
        assert session.scalars(select(Device)).all() == []
        assert session.get(Port, plug.port_id).device_id is None
