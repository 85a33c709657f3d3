"""Smart plugs in the window, as a user meets them: Find plugs… hears an emulated Tasmota, Shelly
and zigbee2mqtt plug on the broker, one is assigned to a port, its readings reach the port's row
and the live plot, and standby cuts it for real: the plug's relay opens, the port shows
"Off (confirmed)" and 0 W; Retry cut appears when a plug does not confirm."""

from __future__ import annotations

import json
import uuid

import pytest
from PySide6.QtCore import Qt

from phantom_desktop.ui.ports.port_model import PortColumn
from phantom_desktop.ui.settings.find_plugs_dialog import FindPlugsDialog, _Heard
from phantom_desktop.ui.settings.settings_dialog import SettingsDialog

pytestmark = pytest.mark.mqtt

TIMEOUT_MS = 20_000
LEFT = Qt.MouseButton.LeftButton
TOPICS = {"tasmota": "{p}_tv", "shelly": "{p}-shellyplusplugs-tv", "z2m": "{p}/tv plug"}


def open_settings(qtbot, window) -> SettingsDialog:
    window.serial.settings_action.trigger()
    dialog = window.serial.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.add_button.isEnabled, timeout=TIMEOUT_MS)  # devices loaded
    return dialog


def find_and_add(qtbot, dialog: SettingsDialog, broker_url: str, topic: str, port_id: str) -> None:
    """Enter the broker, Find plugs…, pick the plug on `topic`, its device and port, Add."""
    section = dialog.plugs_section
    dialog.sources_tabs.setCurrentWidget(section)
    section.url_edit.setText(broker_url)
    found: list[FindPlugsDialog] = []
    original = FindPlugsDialog.exec

    def run_dialog(finder: FindPlugsDialog) -> int:
        found.append(finder)
        qtbot.waitUntil(lambda: finder.again_button.isEnabled(), timeout=TIMEOUT_MS)
        topics = [finder.table.item(row, 4).text() for row in range(finder.table.rowCount())]
        assert topic in topics, topics
        finder.table.selectRow(topics.index(topic))
        finder.device_combo.setCurrentIndex(0)  # the only device
        [combo] = finder._port_combos.values()
        combo.setCurrentIndex(combo.findData(port_id))
        finder.tele_check.setChecked(False)  # the emulator reports fast enough already
        assert finder.add_button.isEnabled()
        finder.accept()
        return int(finder.result())

    FindPlugsDialog.exec = run_dialog  # type: ignore[method-assign]
    try:
        qtbot.mouseClick(section.find_button, LEFT)
    finally:
        FindPlugsDialog.exec = original  # type: ignore[method-assign]
    assert found and section.table.rowCount() == 1


def status_text(window, port_id: str) -> str:
    model = window.ports_model
    position = model.position(port_id)
    return model.data(model.index(position, PortColumn.STATUS))


@pytest.mark.parametrize("kind", ["tasmota", "shelly", "z2m"])
def test_a_plug_found_assigned_plotted_and_cut_for_real(
    kind, qtbot, open_window, make_plug, plug, prefix, broker_url, services
):
    tv = make_plug("TV", threshold_w=5.0, min_duration_s=0.0, auto_cut=True)
    topic = TOPICS[kind].format(p=prefix)
    window = open_window()
    # A TV watched for a few seconds, then in standby (under 5 W).
    emulated = plug(kind, topic, profiles=["tv"], seed=7, speed=300, interval_s=0.1)

    dialog = open_settings(qtbot, window)
    find_and_add(qtbot, dialog, broker_url, topic, tv.port_id)
    with qtbot.waitSignal(window.plugs.plugs_restarted, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.ok_button, LEFT)
    saved = json.loads(services.paths.settings_file.read_text(encoding="utf-8"))
    assert saved["plugs"][0]["topic"] == topic and saved["mqtt"]["url"] == broker_url

    # Live: the port's row and the plug follow the plug's readings.
    qtbot.waitUntil(lambda: len(window.plot.series(tv.port_id)[0]) >= 5, timeout=TIMEOUT_MS)
    # Standby: detection cuts the port, the plug opens its relay and says so.
    channel = emulated.wire.channels[0]
    qtbot.waitUntil(lambda: emulated.relays[channel] is False, timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: status_text(window, tv.port_id) == "Off (confirmed)", timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(lambda: window.ports_model.row(tv.port_id).power == 0.0, timeout=TIMEOUT_MS)


def test_an_unconfirmed_cut_offers_retry_cut(
    qtbot, open_window, make_plug, plug, prefix, broker_url, services, monkeypatch
):
    monkeypatch.setattr("phantom_desktop.ingest.mqtt.cuts.CONFIRM_TIMEOUT_S", 1.0)
    tv = make_plug("TV", threshold_w=5.0, min_duration_s=0.0, auto_cut=True)
    topic = f"{prefix}_deaf{uuid.uuid4().hex[:4]}"
    window = open_window()
    emulated = plug("tasmota", topic, profiles=["charger"], seed=8, speed=3000, obey=False)
    dialog = open_settings(qtbot, window)
    find_and_add(qtbot, dialog, broker_url, topic, tv.port_id)
    with qtbot.waitSignal(window.plugs.plugs_restarted, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.ok_button, LEFT)

    qtbot.waitUntil(
        lambda: status_text(window, tv.port_id) == "Cut not confirmed", timeout=TIMEOUT_MS
    )
    ports_tab = window.workspace.ports_tab
    window.workspace.setCurrentWidget(ports_tab)
    assert ports_tab.select_port(tv.port_id)
    qtbot.waitUntil(ports_tab.retry_button.isVisible, timeout=TIMEOUT_MS)
    emulated.spec.obey = True
    qtbot.mouseClick(ports_tab.retry_button, LEFT)
    qtbot.waitUntil(lambda: emulated.relays[1] is False, timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: status_text(window, tv.port_id) == "Off (confirmed)", timeout=TIMEOUT_MS
    )


def test_find_plugs_proposes_a_port_only_when_the_plug_is_named_after_it(qtbot):
    from phantom_desktop.ingest.mqtt.config import BrokerConfig
    from phantom_desktop.ingest.mqtt.events import FoundPlug
    from phantom_desktop.store.serial_choices import Choices, DeviceChoice, PortChoice

    choices = Choices(
        [DeviceChoice("d", "Living room")],
        [
            PortChoice("p1", "Fridge", "d", "Living room"),
            PortChoice("p2", "TV", "d", "Living room"),
        ],
    )
    finder = FindPlugsDialog(BrokerConfig("mqtt://127.0.0.1:9", "x"), choices, set(), seconds=0.1)
    qtbot.addWidget(finder)
    qtbot.waitUntil(finder.again_button.isEnabled, timeout=TIMEOUT_MS)  # nothing to hear there
    heard = [FoundPlug("tasmota", "t1", "TV plug", (1,)), FoundPlug("shelly", "s1", "Desk", (0,))]
    finder._heard(_Heard(heard, ""))
    finder.table.selectRow(0)
    finder.device_combo.setCurrentIndex(0)
    [combo] = finder._port_combos.values()
    assert combo.currentData() == "p2"  # "TV plug" measures the TV
    finder.table.selectRow(1)
    [combo] = finder._port_combos.values()
    assert combo.currentIndex() == -1 and not finder.add_button.isEnabled()
