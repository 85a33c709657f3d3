"""First run: an empty database greets the user with the next steps instead of an empty plot."""

from __future__ import annotations

import sys

from phantom_desktop.ui.devices.device_dialog import DeviceDialog
from phantom_desktop.ui.monitor.welcome_panel import demo_command
from phantom_desktop.ui.ports.port_dialog import PortDialog
from tests.ui.manage_support import TIMEOUT_MS, click, wait_dialog


def test_empty_database_shows_the_welcome_steps(open_window):
    window = open_window()
    assert window.monitor_stack.currentWidget() is window.welcome
    assert window.welcome.isVisible() and not window.plot.isVisible()
    assert "/api/sensor/reading" in window.welcome.url_label.text()


def test_welcome_buttons_open_the_add_dialogs(qtbot, open_window):
    window = open_window()
    click(qtbot, window.welcome.add_device_button)
    devices = window.workspace.devices_tab
    assert window.workspace.currentWidget() is devices
    wait_dialog(qtbot, devices, DeviceDialog).reject()

    window.workspace.setCurrentWidget(window.workspace.monitor)
    click(qtbot, window.welcome.add_port_button)
    ports = window.workspace.ports_tab
    assert window.workspace.currentWidget() is ports
    wait_dialog(qtbot, ports, PortDialog).reject()


def test_the_plot_replaces_the_welcome_once_a_port_reports(qtbot, open_window, make_plug):
    window = open_window()
    plug = make_plug("TV")
    plug.send(100.0)
    qtbot.waitUntil(
        lambda: window.monitor_stack.currentWidget() is window.plot_box, timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(lambda: len(window.plot.series(plug.port_id)[1]) == 1, timeout=TIMEOUT_MS)
    assert not window.welcome.isVisible()


def test_the_demo_starts_this_same_installation(monkeypatch):
    assert demo_command() == (sys.executable, ["-m", "phantom_desktop", "--demo"])
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # inside the PyInstaller bundle
    assert demo_command() == (sys.executable, ["--demo"])
