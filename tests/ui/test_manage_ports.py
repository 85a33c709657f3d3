"""Ports tab: validation in the dialog, edits the writer uses at once, on/off, suggest, delete."""

from __future__ import annotations

from sqlalchemy import func, select

from phantom_desktop.store import repository
from phantom_desktop.store.models import Notification, PhantomEvent, Port, PowerReading
from phantom_desktop.ui.common.confirm import ConfirmBox
from phantom_desktop.ui.ports.port_dialog import PortDialog
from phantom_desktop.ui.ports.port_model import PortColumn
from phantom_desktop.ui.ports.suggest_dialog import SuggestDialog
from tests.ui.manage_support import (
    TIMEOUT_MS,
    click,
    select_row,
    type_into,
    type_number,
    wait_dialog,
)


def ports_tab(qtbot, window):
    ports = window.workspace.ports_tab
    window.workspace.setCurrentWidget(ports)
    return ports


def shown(ports, port_id: str, column: PortColumn) -> str:
    """What the ports view shows for a port, through its sorting proxy."""
    proxy = ports.view.model()
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data() == ports.model.row(port_id).name:
            return proxy.index(row, column).data()
    raise AssertionError(f"port {port_id} is not listed")


def test_the_dialog_explains_what_is_wrong_and_stays_open(qtbot, services, open_window, make_plug):
    make_plug("TV", threshold_w=5)
    window = open_window()
    ports = ports_tab(qtbot, window)
    qtbot.waitUntil(lambda: ports.model.rowCount() == 1, timeout=TIMEOUT_MS)

    click(qtbot, ports.add_button)
    dialog = wait_dialog(qtbot, ports, PortDialog)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=TIMEOUT_MS)
    assert dialog.error_label.text() == "Port name must not be empty."

    qtbot.keyClicks(dialog.name_edit, "tv")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: "already have a port" in dialog.error_label.text(), timeout=TIMEOUT_MS)
    assert dialog.error_label.text() == "You already have a port named 'tv'."

    type_into(qtbot, dialog.name_edit, "Printer")
    type_number(qtbot, dialog.threshold_spin, "0")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: "threshold" in dialog.error_label.text(), timeout=TIMEOUT_MS)
    assert dialog.error_label.text() == "The threshold must be a positive number of watts."
    assert dialog.isVisible()
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Port)) == 1

    type_number(qtbot, dialog.threshold_spin, "2.5")
    dialog.auto_cut_check.setChecked(False)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: ports.model.rowCount() == 2, timeout=TIMEOUT_MS)
    assert not dialog.isVisible()
    printer = next(row for row in ports.model.rows() if row.name == "Printer")
    assert (printer.threshold_w, printer.auto_cut, printer.device_id) == (2.5, False, None)
    assert shown(ports, printer.id, PortColumn.DEVICE) == "(no device)"
    assert shown(ports, printer.id, PortColumn.AUTO_CUT) == "Report only"


def test_an_edited_threshold_is_used_by_the_next_reading(qtbot, services, open_window, make_plug):
    tv = make_plug("TV", threshold_w=5, min_duration_s=0, auto_cut=False)
    window = open_window()
    ports = ports_tab(qtbot, window)
    qtbot.waitUntil(lambda: ports.model.rowCount() == 1, timeout=TIMEOUT_MS)
    tv.send(20.0)  # above 5 W: in use, and the writer now holds the port's rules

    select_row(qtbot, ports.view, tv.port_id)
    click(qtbot, ports.edit_button)
    dialog = wait_dialog(qtbot, ports, PortDialog)
    assert dialog.name_edit.text() == "TV" and dialog.device_combo.currentText() == "TV plug"
    type_number(qtbot, dialog.threshold_spin, "50")
    type_number(qtbot, dialog.duration_spin, "0")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: ports.model.row(tv.port_id).threshold_w == 50.0, timeout=TIMEOUT_MS)
    assert shown(ports, tv.port_id, PortColumn.THRESHOLD) == "50 W"
    qtbot.waitUntil(lambda: window.ports_model.row(tv.port_id).threshold_w == 50.0)

    tv.send(20.0)  # standby under the new rules

    qtbot.waitUntil(lambda: window.alerts_model.unread_count == 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: shown(ports, tv.port_id, PortColumn.STATUS) == "Phantom")
    assert shown(ports, tv.port_id, PortColumn.POWER) == "20.0 W"


def test_turn_a_port_off_and_on_by_hand(qtbot, services, open_window, make_plug):
    lamp = make_plug("Lamp", threshold_w=2)
    window = open_window()
    ports = ports_tab(qtbot, window)
    qtbot.waitUntil(lambda: ports.model.rowCount() == 1, timeout=TIMEOUT_MS)
    select_row(qtbot, ports.view, lamp.port_id)
    assert ports.power_button.text() == "Turn off"

    click(qtbot, ports.power_button)

    qtbot.waitUntil(
        lambda: shown(ports, lamp.port_id, PortColumn.STATUS) == "Off", timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(
        lambda: ports.power_button.text() == "Turn on" and ports.power_button.isEnabled()
    )
    with services.sessions() as session:
        assert session.get(Port, lamp.port_id).status == "off"
    qtbot.waitUntil(lambda: window.ports_model.row(lamp.port_id).status == "off")

    click(qtbot, ports.power_button)

    qtbot.waitUntil(lambda: shown(ports, lamp.port_id, PortColumn.STATUS) == "Active")
    with services.sessions() as session:
        assert session.get(Port, lamp.port_id).status == "active"
    qtbot.waitUntil(lambda: window.ports_model.index(0, PortColumn.STATUS).data() == "Active")


def test_suggest_threshold_explains_and_applies(qtbot, services, open_window, make_plug):
    tv = make_plug("TV", threshold_w=0.5, auto_cut=False)
    tv.send(*([1.6, 1.5, 1.7] * 15 + [95.0, 101.0, 99.0] * 15))
    window = open_window()
    ports = ports_tab(qtbot, window)
    qtbot.waitUntil(lambda: ports.model.rowCount() == 1, timeout=TIMEOUT_MS)
    select_row(qtbot, ports.view, tv.port_id)

    click(qtbot, ports.suggest_button)
    dialog = wait_dialog(qtbot, ports, SuggestDialog)
    qtbot.waitUntil(lambda: dialog.suggestion is not None, timeout=TIMEOUT_MS)

    suggested = dialog.suggestion.threshold_w
    assert 1.7 < suggested < 95
    assert dialog.headline.text() == f"Suggested threshold: {suggested:g} W"
    assert "90 non-zero readings" in dialog.explanation.text()
    assert "standby is never detected" in dialog.explanation.text()  # 0.5 W is too low
    assert dialog.apply_button.text() == f"Use {suggested:g} W"
    click(qtbot, dialog.apply_button)
    qtbot.waitUntil(lambda: ports.model.row(tv.port_id).threshold_w == suggested)
    with services.sessions() as session:
        port = session.get(Port, tv.port_id)
        assert (port.threshold_w, port.name, port.auto_cut) == (suggested, "TV", False)


def test_suggest_without_enough_readings_offers_nothing(qtbot, open_window, make_plug):
    make_plug("Radio", threshold_w=1)
    window = open_window()
    ports = ports_tab(qtbot, window)
    qtbot.waitUntil(lambda: ports.model.rowCount() == 1, timeout=TIMEOUT_MS)
    select_row(qtbot, ports.view, ports.model.rows()[0].id)

    click(qtbot, ports.suggest_button)
    dialog = wait_dialog(qtbot, ports, SuggestDialog)

    qtbot.waitUntil(lambda: dialog.suggestion is not None, timeout=TIMEOUT_MS)
    assert dialog.headline.text() == "No suggestion yet"
    assert dialog.explanation.text().startswith("Not enough data")
    assert not dialog.apply_button.isEnabled()


def test_delete_a_port_with_its_readings_and_alerts(qtbot, services, open_window, make_plug):
    charger = make_plug("Charger", threshold_w=5, min_duration_s=0, auto_cut=False)
    keep = make_plug("Kettle", threshold_w=5)
    charger.send(1.5, 1.4)
    window = open_window()
    assert window.alerts_model.unread_count == 1
    ports = ports_tab(qtbot, window)
    qtbot.waitUntil(lambda: ports.model.rowCount() == 2, timeout=TIMEOUT_MS)
    select_row(qtbot, ports.view, charger.port_id)

    click(qtbot, ports.delete_button)
    question = wait_dialog(qtbot, ports, ConfirmBox)
    assert (
        question.text()
        == repository.PortDeleteImpact(charger.port_id, "Charger", 2, 1, 1).describe()
    )
    click(qtbot, question.confirm_button)

    qtbot.waitUntil(lambda: ports.model.row(charger.port_id) is None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.ports_model.row(charger.port_id) is None)
    assert window.alerts_model.rowCount() == 0
    assert window.workspace.tabText(3) == "Alerts"
    assert ports.model.row(keep.port_id) is not None
    with services.sessions() as session:
        for model in (PowerReading, PhantomEvent, Notification):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def test_the_owner_marks_a_port_as_one_that_rests_and_it_is_never_alerted(
    qtbot, services, open_window, make_plug
):
    fridge = make_plug("Fridge", threshold_w=5, min_duration_s=0, auto_cut=True)
    window = open_window()
    ports = ports_tab(qtbot, window)
    qtbot.waitUntil(lambda: ports.model.rowCount() == 1, timeout=TIMEOUT_MS)
    fridge.send(95.0)
    assert shown(ports, fridge.port_id, PortColumn.DETECTION) == ("No rhythm")

    select_row(qtbot, ports.view, fridge.port_id)
    click(qtbot, ports.edit_button)
    dialog = wait_dialog(qtbot, ports, PortDialog)
    assert dialog.rhythm_combo.currentData() == "auto"
    dialog.rhythm_combo.setCurrentIndex(dialog.rhythm_combo.findData("rests"))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(
        lambda: shown(ports, fridge.port_id, PortColumn.DETECTION) == "Rests (your setting)",
        timeout=TIMEOUT_MS,
    )
    with services.sessions() as s:
        assert s.get(Port, fridge.port_id).rhythm_override == "rests"

    fridge.send(1.5)  # a rest, and the writer follows the new setting at once
    fridge.send(1.5)

    assert window.alerts_model.unread_count == 0
    assert shown(ports, fridge.port_id, PortColumn.STATUS) == "Active"
