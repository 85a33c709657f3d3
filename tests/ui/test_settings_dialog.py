"""The Settings dialog driven as a user would: serial meters added, edited and removed, applied at
once to the running app; the HTTP address saved for the next start."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from sqlalchemy import func, select

from phantom_desktop.config import update_settings_file
from phantom_desktop.ingest.serial.config import UsbMatch
from phantom_desktop.ingest.serial.discovery import SerialPortInfo
from phantom_desktop.store.models import PowerReading
from phantom_desktop.ui.settings.serial_source_dialog import SerialSourceEditor
from phantom_desktop.ui.settings.settings_dialog import SettingsDialog
from tests.ui.serial_helpers import fast_source_fixture, meter_device_fixture  # noqa: F401

TIMEOUT_MS = 10_000
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def no_real_port_scan(monkeypatch):
    """The port picker lists one USB adapter, whatever this machine has."""
    adapter = SerialPortInfo("/dev/ttyUSB7", "CP2102 USB to UART", UsbMatch(0x10C4, 0xEA60, "0001"))
    monkeypatch.setattr(
        "phantom_desktop.ui.settings.serial_port_scanner.available_ports", lambda: [adapter]
    )


def settings_file(services) -> dict:
    return json.loads(services.paths.settings_file.read_text(encoding="utf-8"))


def open_settings(qtbot, window) -> SettingsDialog:
    """Open Settings from the File menu and wait for the devices and ports to load."""
    window.serial.settings_action.trigger()
    dialog = window.serial.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.add_button.isEnabled, timeout=TIMEOUT_MS)
    return dialog


def open_editor(qtbot, dialog: SettingsDialog, button) -> SerialSourceEditor:
    qtbot.mouseClick(button, LEFT)
    editor = dialog.editor
    assert editor is not None and editor.isVisible()
    qtbot.waitUntil(editor.refresh_button.isEnabled, timeout=TIMEOUT_MS)  # the scan is done
    return editor


def choose(combo, data) -> None:
    """Pick the item holding `data`, as a click in the open list would."""
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    pick(combo, index)


def pick(combo, index: int) -> None:
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def click_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.ok_button, LEFT)


def stored_readings(services, port_id: str) -> int:
    with services.sessions() as session:
        query = select(func.count()).where(PowerReading.port_id == port_id)
        return session.scalar(query.select_from(PowerReading))


def test_settings_is_in_the_file_menu_with_ctrl_comma(open_window):
    window = open_window()
    action = window.serial.settings_action

    assert action.shortcut() == QKeySequence("Ctrl+,")
    assert action in window.menuBar().actions()[0].menu().actions()


def test_add_a_meter_and_it_starts_feeding_the_window(
    qtbot, services, open_window, meter_device, meter
):
    kitchen = meter_device("Kitchen", ["Kettle", "Washer"])
    kettle, washer = kitchen.port_ids
    handle = meter("pzem", addresses=(1, 2))
    window = open_window()
    dialog = open_settings(qtbot, window)
    assert dialog.empty_label.isVisible()

    editor = open_editor(qtbot, dialog, dialog.add_button)
    assert editor.baud_combo.currentText() == "9600"  # PZEM's default
    assert editor.map_box.title() == "Meter addresses → ports"
    click_ok(qtbot, editor)
    assert editor.isVisible()
    assert editor.error_label.text() == "The name is required."

    qtbot.keyClicks(editor.name_edit, "Kitchen PZEM")
    assert editor.error_label.text() != "The name is required."  # checked again as one types
    qtbot.keyClicks(editor.path_edit, handle.path)
    choose(editor.device_combo, kitchen.device_id)
    choose(editor.map_editor.rows[0].port_combo, kettle)
    qtbot.mouseClick(editor.map_editor.add_button, LEFT)
    assert editor.map_editor.rows[1].key == "2"  # the next free address
    choose(editor.map_editor.rows[1].port_combo, washer)
    editor.poll_spin.selectAll()
    qtbot.keyClicks(editor.poll_spin, "0.2")
    click_ok(qtbot, editor)

    assert not editor.isVisible()
    assert dialog.sources_model.rowCount() == 1
    assert dialog.sources_model.index(0, 3).data() == "Kitchen"
    assert dialog.sources_model.index(0, 4).data() == "Kettle, Washer"
    click_ok(qtbot, dialog)

    (stored,) = settings_file(services)["serial_sources"]
    assert stored["name"] == "Kitchen PZEM" and stored["port"] == handle.path
    assert stored["channels"] == {"1": kettle, "2": washer}
    assert stored["poll_interval_s"] == 0.2
    assert set(settings_file(services)) == {"serial_sources"}  # nothing else written
    qtbot.waitUntil(lambda: window.sources_panel.card("Kitchen PZEM") is not None, timeout=5000)
    card = window.sources_panel.card("Kitchen PZEM")
    qtbot.waitUntil(lambda: card.state_label.text() == "Connected", timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: stored_readings(services, washer) >= 3, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(window.plot.series(kettle)[1]) >= 3, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not card.counters_label.text().startswith("0.0"), timeout=TIMEOUT_MS)


def test_edit_and_remove_restart_the_meters(
    qtbot, services, open_window, meter_device, meter, fast_source
):
    kitchen = meter_device("Kitchen", ["Kettle"])
    handle = meter("emontx", channels=2)
    config = {
        "name": "emonTx",
        "port": handle.path,
        "protocol": "emontx",
        "device_id": kitchen.device_id,
        "channels": {"P1": kitchen.port_ids[0]},
    }
    update_settings_file(services.paths, serial_sources=[config])
    services.settings.serial_sources = [config]
    running = fast_source(config)
    window = open_window()
    dialog = open_settings(qtbot, window)

    dialog.sources_view.selectRow(0)
    editor = open_editor(qtbot, dialog, dialog.edit_button)
    assert editor.name_edit.text() == "emonTx"
    assert editor.baud_combo.currentText() == "115200"
    assert editor.map_editor.rows[0].key == "P1"
    qtbot.keyClick(editor.enabled_check, Qt.Key.Key_Space)  # pause it
    click_ok(qtbot, editor)
    assert dialog.sources_model.index(0, 0).data() == "emonTx (paused)"
    click_ok(qtbot, dialog)

    qtbot.waitUntil(lambda: not running.running, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: services.sources == [], timeout=TIMEOUT_MS)
    assert settings_file(services)["serial_sources"][0]["enabled"] is False
    qtbot.waitUntil(lambda: window.sources_panel.empty_label.isVisible(), timeout=5000)

    dialog = open_settings(qtbot, window)
    dialog.sources_view.selectRow(0)
    qtbot.mouseClick(dialog.remove_button, LEFT)
    assert dialog.sources_model.rowCount() == 0
    click_ok(qtbot, dialog)
    assert settings_file(services)["serial_sources"] == []


def test_protocol_sets_the_baud_rate_unless_the_user_chose_one(qtbot, open_window, meter_device):
    meter_device("Kitchen", ["Kettle"])
    dialog = open_settings(qtbot, open_window())
    editor = open_editor(qtbot, dialog, dialog.add_button)

    choose(editor.protocol_combo, "sdm120")
    assert editor.baud_combo.currentText() == "2400"
    assert editor.poll_spin.isVisible()
    choose(editor.protocol_combo, "jsonl")
    assert editor.baud_combo.currentText() == "115200"
    assert editor.map_editor.note.isVisible() and editor.map_editor.rows == []
    assert not editor.poll_spin.isVisible()
    choose(editor.protocol_combo, "emontx")
    assert [row.key for row in editor.map_editor.rows] == ["P1"]

    editor.baud_combo.lineEdit().selectAll()
    qtbot.keyClicks(editor.baud_combo.lineEdit(), "38400")
    choose(editor.protocol_combo, "pzem")
    assert editor.baud_combo.currentText() == "38400"
    assert [row.key for row in editor.map_editor.rows] == ["1"]


def test_a_detected_usb_adapter_is_followed_by_its_identity(
    qtbot, services, open_window, meter_device
):
    kitchen = meter_device("Kitchen", ["Kettle"])
    dialog = open_settings(qtbot, open_window())
    editor = open_editor(qtbot, dialog, dialog.add_button)

    assert editor.detected_combo.itemText(0) == (
        "/dev/ttyUSB7 — CP2102 USB to UART [10C4:EA60 serial 0001]"
    )
    pick(editor.detected_combo, 0)
    assert editor.path_edit.text() == "/dev/ttyUSB7"
    assert editor.usb_check.isVisible() and editor.usb_check.isChecked()
    qtbot.keyClicks(editor.name_edit, "Heat pump")
    choose(editor.device_combo, kitchen.device_id)
    choose(editor.map_editor.rows[0].port_combo, kitchen.port_ids[0])
    click_ok(qtbot, editor)

    entry = dialog.sources_model.entry(0)
    assert entry["usb"] == {"vid": "10C4", "pid": "EA60", "serial_number": "0001"}
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), LEFT)
    assert not services.paths.settings_file.exists()  # cancelled: nothing written


def test_a_taken_name_or_port_is_refused_inline(qtbot, services, open_window, meter_device):
    kitchen = meter_device("Kitchen", ["Kettle", "Washer"])
    update_settings_file(
        services.paths,
        serial_sources=[
            {
                "name": "Kitchen PZEM",
                "port": "/dev/ttyUSB0",
                "protocol": "pzem",
                "device_id": kitchen.device_id,
                "channels": {"1": kitchen.port_ids[0]},
            }
        ],
    )
    dialog = open_settings(qtbot, open_window())
    editor = open_editor(qtbot, dialog, dialog.add_button)
    qtbot.keyClicks(editor.name_edit, "kitchen pzem")
    qtbot.keyClicks(editor.path_edit, "/dev/ttyUSB0")
    choose(editor.device_combo, kitchen.device_id)
    click_ok(qtbot, editor)
    assert editor.error_label.text() == (
        "Choose the port that meter address 1 measures, or remove that row."
    )

    choose(editor.map_editor.rows[0].port_combo, kitchen.port_ids[1])
    assert editor.error_label.text() == "Two serial sources are named 'kitchen pzem'."
    editor.name_edit.clear()
    qtbot.keyClicks(editor.name_edit, "Garage")
    assert editor.error_label.text() == "Two enabled serial sources use the port /dev/ttyUSB0."
    editor.path_edit.clear()
    qtbot.keyClicks(editor.path_edit, "socket://192.0.2.7:4000")
    assert not editor.error_label.isVisible()
    choose(editor.map_editor.rows[0].port_combo, kitchen.port_ids[0])
    assert editor.error_label.text() == (
        "Channel 1: that port is already measured by 'Kitchen PZEM'."
    )


def test_http_address_is_saved_for_the_next_start_without_env_overrides(
    qtbot, services, open_window, monkeypatch
):
    update_settings_file(services.paths, price_per_kwh=0.25)
    monkeypatch.setenv("PHANTOM_HTTP_HOST", "0.0.0.0")
    dialog = open_settings(qtbot, open_window())
    assert dialog.host_edit.text() == "127.0.0.1"  # the file's value, not the environment's
    assert "next time Phantom Desktop starts" in dialog.http_note.text()
    assert "PHANTOM_HTTP_HOST" in dialog.http_note.text()

    dialog.port_spin.selectAll()
    qtbot.keyClicks(dialog.port_spin, "3100")
    assert "http://127.0.0.1:3100/api/sensor/reading" in dialog.http_note.text()
    click_ok(qtbot, dialog)

    assert settings_file(services) == {"price_per_kwh": 0.25, "http_port": 3100}
    assert services.sources == []


def test_the_note_says_where_the_running_app_listens_until_it_restarts(
    qtbot, services, open_window
):
    window = open_window()
    moved = SettingsDialog(services.paths, window.worker, services.user_id, "http://0.0.0.0:3917")
    same = SettingsDialog(services.paths, window.worker, services.user_id, "http://127.0.0.1:3000")
    for dialog in (moved, same):
        qtbot.addWidget(dialog)

    assert "until then it listens on http://127.0.0.1:3917." in moved.http_note.text()
    assert "until then" not in same.http_note.text()
    for dialog in (moved, same):
        qtbot.waitUntil(dialog.add_button.isEnabled, timeout=TIMEOUT_MS)  # its query is done
