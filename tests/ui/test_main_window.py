"""The window against real services: readings, alerts and commands through the writer."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from sqlalchemy import select

from phantom_desktop.ingest.messages import CommittedBatch, StoredReading
from phantom_desktop.store import repository
from phantom_desktop.store.models import Notification, Port, User
from phantom_desktop.ui.main_window import SETTINGS_GROUP, MainWindow
from phantom_desktop.ui.ports.port_model import PortColumn as Column

TIMEOUT_MS = 5000


def cell(window: MainWindow, port_id: str, column: Column) -> str:
    """What the ports table shows (through the sorting proxy) for a port."""
    proxy = window.ports_panel.proxy
    for row in range(proxy.rowCount()):
        if window.ports_model.row(port_id).name == proxy.index(row, Column.NAME).data():
            return proxy.index(row, column).data()
    raise AssertionError(f"port {port_id} is not in the table")


def test_start_state_is_loaded_from_the_database(open_window, make_plug):
    tv = make_plug("TV", threshold_w=5)
    tv.send(98.0, 101.5)

    window = open_window()

    assert window.windowTitle() == "Phantom Desktop"
    assert cell(window, tv.port_id, Column.DEVICE) == "TV plug"
    assert cell(window, tv.port_id, Column.POWER) == "101.5 W"
    assert cell(window, tv.port_id, Column.STATUS) == "Active"
    assert cell(window, tv.port_id, Column.THRESHOLD) == "5 W"
    _times, power = window.plot.series(tv.port_id)
    assert list(power) == [98.0, 101.5]


def test_live_readings_reach_plot_and_table(qtbot, open_window, make_plug):
    tv = make_plug("TV", threshold_w=5)
    window = open_window()

    tv.send(100.0, 103.7)

    qtbot.waitUntil(lambda: list(window.plot.series(tv.port_id)[1]) == [100.0, 103.7])
    qtbot.waitUntil(lambda: cell(window, tv.port_id, Column.POWER) == "103.7 W")
    assert cell(window, tv.port_id, Column.VOLTAGE) == "230.0 V"
    assert cell(window, tv.port_id, Column.STATUS) == "Active"
    qtbot.waitUntil(lambda: list(window.plot.drawn(tv.port_id)[1]) == [100.0, 103.7])
    assert window.plot.port_name(tv.port_id) == "TV"
    qtbot.waitUntil(lambda: "readings/s" in window.status.rate_label.text())
    assert window.status.listen_label.text() == "Ingestion off"
    assert window.status.db_label.text().startswith("Database: sqlite:///")


def test_readings_committed_before_start_are_not_plotted_twice(qtbot, open_window, make_plug):
    lamp = make_plug("Lamp", threshold_w=3)
    lamp.send(40.0, 41.0)  # also waiting in the live feed when the window starts
    window = open_window()

    lamp.send(42.0)

    qtbot.waitUntil(lambda: list(window.plot.series(lamp.port_id)[1]) == [40.0, 41.0, 42.0])


def test_phantom_alert_then_mark_all_read(qtbot, services, open_window, make_plug):
    charger = make_plug("Charger", threshold_w=5, min_duration_s=0, auto_cut=False)
    window = open_window()
    panel = window.alerts_panel
    assert panel.title.text() == "Alerts"
    assert not panel.mark_all_read_button.isEnabled()

    with qtbot.waitSignal(window.alerts_model.unread_count_changed, timeout=TIMEOUT_MS):
        charger.send(1.5)

    assert window.alerts_model.unread_count == 1
    assert panel.title.text() == "Alerts (1)"
    assert "Charger" in window.alerts_model.alert_at(0).message
    assert panel.view.model().index(0, 1).data() == "Charger"
    qtbot.waitUntil(lambda: cell(window, charger.port_id, Column.STATUS) == "Phantom")

    with qtbot.waitSignal(window.alerts_model.unread_count_changed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(panel.mark_all_read_button, Qt.MouseButton.LeftButton)

    assert window.alerts_model.unread_count == 0
    assert panel.title.text() == "Alerts"
    with services.sessions() as session:
        assert session.scalars(select(Notification.is_read)).all() == [True]

    charger.send(60.0)  # a reading above the band ends the episode
    qtbot.waitUntil(lambda: cell(window, charger.port_id, Column.STATUS) == "Active")


def test_unread_alerts_from_before_are_shown_at_start(services, open_window, make_plug):
    charger = make_plug("Charger", threshold_w=5, min_duration_s=0, auto_cut=False)
    charger.send(1.5)

    window = open_window()

    assert window.alerts_model.unread_count == 1
    assert window.alerts_panel.title.text() == "Alerts (1)"
    assert cell(window, charger.port_id, Column.STATUS) == "Phantom"


def test_turn_on_a_cut_port(qtbot, services, open_window, make_plug):
    tv = make_plug("TV", threshold_w=5, min_duration_s=0, auto_cut=True)
    window = open_window()

    tv.send(1.5)
    qtbot.waitUntil(lambda: cell(window, tv.port_id, Column.STATUS) == "Off")

    button = window.ports_panel.turn_on_button
    window.ports_panel.select_port(tv.port_id)
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: cell(window, tv.port_id, Column.STATUS) == "Active")
    with services.sessions() as session:
        assert session.get(Port, tv.port_id).status == "active"
    qtbot.waitUntil(lambda: not button.isEnabled())


def test_window_paints_ports_alerts_and_plot(qtbot, open_window, make_plug):
    """Renders every custom delegate; an exception while painting fails the test."""
    tv = make_plug("TV", threshold_w=5, min_duration_s=0, auto_cut=False)
    charger = make_plug("Charger", threshold_w=1, min_duration_s=0, auto_cut=True)
    window = open_window()
    tv.send(1.5)
    charger.send(0.5)
    qtbot.waitUntil(lambda: window.alerts_model.rowCount() == 2)
    qtbot.waitUntil(lambda: cell(window, charger.port_id, Column.STATUS) == "Off")

    image = window.grab().toImage()

    assert not image.isNull()
    assert image.width() == window.width()


def test_a_port_created_later_shows_up(qtbot, open_window, make_plug):
    window = open_window()
    assert window.ports_model.rowCount() == 0

    fridge = make_plug("Fridge", threshold_w=2, auto_cut=False)
    fridge.send(85.0)

    qtbot.waitUntil(lambda: window.ports_model.row(fridge.port_id) is not None)
    qtbot.waitUntil(lambda: cell(window, fridge.port_id, Column.POWER) == "85.0 W")
    assert window.plot.port_name(fridge.port_id) == "Fridge"
    qtbot.waitUntil(lambda: list(window.plot.series(fridge.port_id)[1]) == [85.0])


def test_another_users_ports_stay_out(qtbot, services, open_window):
    """The live feed carries every user's readings; the window shows only its user's ports."""
    with services.sessions.begin() as session:
        other = User(name="someone else")
        session.add(other)
        session.flush()
        port = repository.create_port(session, other.id, "Their TV", None, 5.0)
        port_id = port.id
    window = open_window()
    reading = StoredReading(1, port_id, datetime.now(UTC), 230, 1, 230, False, "active")

    with qtbot.waitSignal(window.ports_reloaded, timeout=TIMEOUT_MS):
        window.apply_batch(CommittedBatch(readings=[reading]))

    assert window.ports_model.rowCount() == 0
    assert window.plot.port_name(port_id) is None
    with qtbot.assertNotEmitted(window.ports_reloaded, wait=300):
        window.apply_batch(CommittedBatch(readings=[reading]))  # known to be foreign now


def test_window_state_is_saved_and_restored(qtbot, open_window, window_settings):
    window = open_window()
    window.resize(700, 500)  # the offscreen screen is 800×600
    window.close()
    window_settings.sync()
    assert window_settings.value(f"{SETTINGS_GROUP}/version") in (1, "1")
    assert window_settings.value(f"{SETTINGS_GROUP}/mainSplitter") is not None

    again = open_window()
    assert (again.width(), again.height()) == (700, 500)


def test_close_stops_the_worker_thread(open_window):
    window = open_window()
    assert window.worker.isRunning()

    window.close()

    assert not window.worker.isRunning()
    assert not window.bridge._timer.isActive()
