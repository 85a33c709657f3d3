"""Alerts tab: unread badge, mark read, go to port, turn a cut port back on, tray messages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSystemTrayIcon
from sqlalchemy import select

from phantom_desktop.store.models import Notification, Port
from phantom_desktop.ui.alerts.alerts_model import AlertColumn
from tests.ui.manage_support import TIMEOUT_MS, click


def alerts_tab(window):
    view = window.workspace.alerts_tab
    window.workspace.setCurrentWidget(view)
    return view


def select_alert(qtbot, view, port_name: str) -> None:
    proxy = view.view.model()
    for row in range(proxy.rowCount()):
        if proxy.index(row, AlertColumn.PORT).data() == port_name:
            rect = view.view.visualRect(proxy.index(row, AlertColumn.MESSAGE))
            qtbot.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            return
    raise AssertionError(f"no alert for {port_name}")


def test_unread_badge_mark_read_and_mark_all_read(qtbot, services, open_window, make_plug):
    charger = make_plug("Charger", threshold_w=5, min_duration_s=0, auto_cut=False)
    tv = make_plug("TV", threshold_w=5, min_duration_s=0, auto_cut=False)
    window = open_window()
    assert window.workspace.tabText(3) == "Alerts"
    assert window.windowTitle() == "Phantom Desktop"

    with qtbot.waitSignal(window.alerts_model.unread_count_changed, timeout=TIMEOUT_MS):
        charger.send(1.5)
    qtbot.waitUntil(lambda: window.alerts_model.unread_count == 1)
    tv.send(2.0)
    qtbot.waitUntil(lambda: window.alerts_model.unread_count == 2, timeout=TIMEOUT_MS)
    assert window.workspace.tabText(3) == "Alerts (2)"
    assert window.windowTitle() == "Phantom Desktop — 2 unread alerts"

    view = alerts_tab(window)
    assert view.view.model().rowCount() == 2
    assert not view.mark_read_button.isEnabled()
    select_alert(qtbot, view, "Charger")
    click(qtbot, view.mark_read_button)
    qtbot.waitUntil(lambda: window.alerts_model.unread_count == 1, timeout=TIMEOUT_MS)
    assert window.workspace.tabText(3) == "Alerts (1)"
    assert window.windowTitle() == "Phantom Desktop — 1 unread alert"
    with services.sessions() as session:
        read = dict(session.execute(select(Notification.port_id, Notification.is_read)).all())
    assert read == {charger.port_id: True, tv.port_id: False}

    view.unread_only_check.setChecked(True)
    assert view.view.model().rowCount() == 1
    click(qtbot, view.mark_all_read_button)
    qtbot.waitUntil(lambda: window.alerts_model.unread_count == 0, timeout=TIMEOUT_MS)
    assert view.view.model().rowCount() == 0
    assert window.workspace.tabText(3) == "Alerts"
    assert window.windowTitle() == "Phantom Desktop"
    with services.sessions() as session:
        assert session.scalars(select(Notification.is_read)).all() == [True, True]


def test_go_to_port_and_turn_it_back_on(qtbot, services, open_window, make_plug):
    tv = make_plug("TV", threshold_w=5, min_duration_s=0, auto_cut=True)
    make_plug("Lamp", threshold_w=2)
    tv.send(1.5)  # standby: cut
    window = open_window()
    view = alerts_tab(window)
    qtbot.waitUntil(lambda: window.workspace.ports_tab.model.rowCount() == 2, timeout=TIMEOUT_MS)

    select_alert(qtbot, view, "TV")
    click(qtbot, view.go_to_port_button)
    assert window.workspace.currentWidget() is window.workspace.ports_tab
    assert window.workspace.ports_tab.selected_port().id == tv.port_id

    alerts_tab(window)
    assert view.turn_on_button.isEnabled()
    click(qtbot, view.turn_on_button)
    qtbot.waitUntil(lambda: not view.turn_on_button.isEnabled(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: window.workspace.ports_tab.model.row(tv.port_id).status == "active",
        timeout=TIMEOUT_MS,
    )
    with services.sessions() as session:
        assert session.get(Port, tv.port_id).status == "active"
    assert view.go_to_port_button.isEnabled()  # the port still exists


def test_a_tray_message_for_each_new_phantom_event(qtbot, monkeypatch, open_window, make_plug):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(
        QSystemTrayIcon,
        "showMessage",
        lambda _self, title, text, *_args: shown.append((title, text)),
    )
    charger = make_plug("Charger", threshold_w=5, min_duration_s=0, auto_cut=True)
    radio = make_plug("Radio", threshold_w=5, min_duration_s=0, auto_cut=False)
    window = open_window()
    assert window.tray.icon is not None

    charger.send(1.5)
    radio.send(2.5, 2.6)  # one episode, one message

    qtbot.waitUntil(lambda: len(shown) == 2, timeout=TIMEOUT_MS)
    assert shown[0] == (
        "Phantom power: Charger",
        "1.5 W on standby (threshold 5 W). The port was turned off.",
    )
    assert shown[1][0] == "Phantom power: Radio"
    assert "Auto-cut is off" in shown[1][1]

    window.tray.activated.emit()  # clicking the message shows the alerts
    assert window.workspace.currentWidget() is window.workspace.alerts_tab


def test_without_a_tray_alerts_still_arrive(qtbot, open_window, make_plug):
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen
    window = open_window()
    assert window.tray.icon is None
    make_plug("Charger", threshold_w=5, min_duration_s=0).send(1.0)
    qtbot.waitUntil(lambda: window.alerts_model.unread_count == 1, timeout=TIMEOUT_MS)
