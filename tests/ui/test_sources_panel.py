"""The serial meters panel and the no-relay badge, against emulated meters on ptys."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import Qt, QTimer

from phantom_desktop.ingest.serial.status import SourceStatus
from phantom_desktop.ui.common.keyed_model import STATUS_ROLE
from phantom_desktop.ui.monitor.sources_panel import EMPTY_TEXT, SourcesPanel
from phantom_desktop.ui.ports.port_model import NO_RELAY, NO_RELAY_BADGE
from phantom_desktop.ui.ports.port_model import PortColumn as Column
from tests.ui.serial_helpers import fast_source_fixture, meter_device_fixture  # noqa: F401

TIMEOUT_MS = 10_000


def snapshot(
    name: str = "Bus", state: str = "connected", reason: str = "", **counts
) -> SourceStatus:
    values = dict.fromkeys(
        ("readings", "rejected", "dropped", "garbage", "crc_errors", "timeouts", "reconnects"), 0
    )
    values.update(counts)
    rate = values.pop("rate", 0.0)
    return SourceStatus(name, "pzem", state, reason, "/dev/pts/4", rate, **values, written=0)


def port_cell(window, port_id: str, column: Column, role=Qt.ItemDataRole.DisplayRole):
    model = window.ports_model
    for row in range(model.rowCount()):
        if model.index(row, 0).data(Qt.ItemDataRole.UserRole + 1) == port_id:
            return model.index(row, column).data(role)
    raise AssertionError(f"port {port_id} is not in the table")


def test_cards_follow_the_snapshots(qtbot):
    statuses: list[SourceStatus] = []
    panel = SourcesPanel(lambda: statuses)
    qtbot.addWidget(panel)
    panel.show()

    assert panel.empty_label.isVisible() and panel.empty_label.text() == EMPTY_TEXT
    assert panel.cards == []

    statuses[:] = [snapshot("Bus", rate=2.0, garbage=1, timeouts=2)]
    panel.refresh()
    card = panel.card("Bus")
    assert not panel.empty_label.isVisible()
    assert card.state_label.text() == "Connected"
    assert card.counters_label.text() == "2.0 readings/s · 3 errors"
    assert card.where_label.text() == "PZEM-004T · /dev/pts/4 · no relay"
    assert "Meter did not answer: 2" in card.counters_label.toolTip()
    assert not card.reason_label.isVisible()

    reason = (
        "cannot open /dev/pts/4: [Errno 13] could not open port /dev/pts/4: [Errno 13]"
        " Permission denied: '/dev/pts/4'"
    )
    statuses[:] = [snapshot("Bus", "error", reason)]
    panel.refresh()
    assert panel.card("Bus") is card  # same source, same card
    assert card.state_label.text() == "Error"
    assert card.reason_label.isVisible()
    assert card.reason_label.text() == "cannot open /dev/pts/4: Permission denied: '/dev/pts/4'"
    assert card.reason_label.toolTip() == reason

    statuses[:] = [snapshot("Bus"), snapshot("Garage", "connecting")]
    panel.refresh()
    assert [c.name_label.text() for c in panel.cards] == ["Bus", "Garage"]
    assert panel.card("Garage").state_label.text() == "Connecting…"


def test_window_without_meters_points_to_settings(qtbot, open_window):
    window = open_window()
    panel = window.sources_panel

    assert panel.empty_label.isVisible()
    assert panel.empty_label.text() == "No serial meters or smart plugs — Settings… to add one."
    qtbot.mouseClick(panel.settings_button, Qt.MouseButton.LeftButton)
    assert window.serial.dialog is not None and window.serial.dialog.isVisible()


def test_status_through_unplug_and_replug_while_the_gui_keeps_ticking(
    qtbot, tmp_path, open_window, meter_device, meter, fast_source
):
    kitchen = meter_device("Kitchen", ["Kettle", "Washer"])
    handle = meter("pzem", addresses=(1, 2), link=tmp_path / "ttyPZEM")
    source = fast_source(
        {
            "name": "Kitchen PZEM",
            "port": str(tmp_path / "ttyPZEM"),
            "protocol": "pzem",
            "device_id": kitchen.device_id,
            "channels": {"1": kitchen.port_ids[0], "2": kitchen.port_ids[1]},
        }
    )
    window = open_window()
    panel = window.sources_panel

    qtbot.waitUntil(lambda: panel.card("Kitchen PZEM") is not None, timeout=TIMEOUT_MS)
    card = panel.card("Kitchen PZEM")
    qtbot.waitUntil(lambda: card.state_label.text() == "Connected", timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: source.status.readings_per_s > 1.0, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not card.counters_label.text().startswith("0.0"), timeout=TIMEOUT_MS)
    assert "readings/s" in card.counters_label.text()
    qtbot.waitUntil(lambda: len(window.plot.series(kitchen.port_ids[0])[1]) > 0)

    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(50)
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start()
    started = time.monotonic()
    handle.unplug()
    qtbot.waitUntil(lambda: card.state_label.text() == "Reconnecting…", timeout=TIMEOUT_MS)
    assert card.reason_label.isVisible() and card.reason_label.text()
    qtbot.wait(1000)  # the source keeps trying while the window goes on
    handle.replug()
    qtbot.waitUntil(lambda: card.state_label.text() == "Connected", timeout=TIMEOUT_MS)
    ticker.stop()
    elapsed = time.monotonic() - started

    assert len(ticks) >= 0.6 * elapsed / 0.05, f"{len(ticks)} ticks in {elapsed:.1f} s"
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert max(gaps) < 0.5, f"the GUI stalled for {max(gaps):.2f} s"
    assert source.status.reconnects >= 1
    before = source.status.readings
    qtbot.waitUntil(lambda: source.status.readings > before + 4, timeout=TIMEOUT_MS)


def test_a_cut_that_a_modbus_meter_cannot_carry_out_is_shown(
    qtbot, open_window, meter_device, meter, fast_source
):
    # Everything is standby below this threshold, so the first reading cuts the port.
    kitchen = meter_device("Kitchen", ["Kettle"], threshold_w=50_000, auto_cut=True)
    kettle = kitchen.port_ids[0]
    handle = meter("sdm120", addresses=(1,))
    fast_source(
        {
            "name": "Kitchen SDM",
            "port": handle.path,
            "protocol": "sdm120",
            "device_id": kitchen.device_id,
            "channels": {"1": kettle},
        }
    )
    window = open_window()

    qtbot.waitUntil(
        lambda: port_cell(window, kettle, Column.STATUS, STATUS_ROLE) == NO_RELAY,
        timeout=TIMEOUT_MS,
    )
    assert port_cell(window, kettle, Column.STATUS) == NO_RELAY_BADGE
    tooltip = port_cell(window, kettle, Column.STATUS, Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("Off — no relay: the meter cannot cut this port")
    qtbot.waitUntil(lambda: "no relay" in window.status.currentMessage(), timeout=TIMEOUT_MS)
    assert window.status.currentMessage() == "Kettle could not be cut: its meter has no relay"
