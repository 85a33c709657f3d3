"""The Monitor's sources panel shows each MQTT broker as a user follows it: connected with its
plugs online, reconnecting and why while the broker is away, stopped and why when the plugs'
settings cannot run."""

from __future__ import annotations

import pytest

from phantom_desktop.app import restart_mqtt, start_mqtt
from phantom_desktop.ingest.mqtt.status import MqttStatus, PlugState
from phantom_desktop.ui.monitor.sources_panel import SourcesPanel
from tests.ingest.mqtt.mqtt_helpers import Publisher
from tests.ingest.support import device_with_ports

TIMEOUT_MS = 20_000


def broker(state: str, reason: str = "", readings: int = 0, online=(True, None)) -> MqttStatus:
    plugs = {
        f"plug{i}": PlugState(f"plug{i}", "tasmota", f"plug{i}", value)
        for i, value in enumerate(online)
    }
    counts = {"readings": readings, "reconnects": 2}
    url = "mqtt://10.0.0.2:1883"
    return MqttStatus("MQTT 10.0.0.2:1883", url, state, reason, counts, plugs, {})


def test_a_broker_card_beside_the_serial_meters(qtbot):
    brokers = [broker("connected", online=(True, False, None))]
    panel = SourcesPanel(list, lambda: brokers)
    qtbot.addWidget(panel)
    panel.show()

    card = panel.card("MQTT 10.0.0.2:1883")
    assert not panel.empty_label.isVisible()
    assert card.state_label.text() == "Connected"
    assert card.where_label.text() == "3 smart plugs · Tasmota"
    assert card.where_label.toolTip() == "Broker mqtt://10.0.0.2:1883"
    assert card.counters_label.text() == "0.0 readings/s · 1 of 3 online · 1 offline"
    assert "plug1 (Tasmota plug1): offline" in card.counters_label.toolTip()
    assert "Connections lost: 2" in card.counters_label.toolTip()
    assert not card.reason_label.isVisible()

    brokers[:] = [broker("reconnecting", "connection lost: Unspecified error", readings=50)]
    panel.refresh()
    assert panel.card("MQTT 10.0.0.2:1883") is card
    assert card.state_label.text() == "Reconnecting…"
    assert card.reason_label.isVisible()
    assert card.reason_label.text() == "connection lost: Unspecified error"
    assert float(card.counters_label.text().split()[0]) > 0  # 50 readings since the last look

    brokers[:] = []
    panel.refresh()
    assert panel.cards == [] and panel.empty_label.isVisible()


@pytest.mark.mqtt
def test_the_monitor_follows_the_broker_going_away_and_coming_back(
    qtbot, open_window, private_broker, prefix, services
):
    device_id, [port] = device_with_ports(services, "Lamp plug", ["Lamp"], 5.0, 0.0, False)
    plug = {"name": "lamp", "kind": "tasmota", "topic": prefix, "device_id": device_id,
            "channels": {"1": port}}  # fmt: skip
    restart_mqtt(services, {"url": private_broker.url, "client_id": f"t-{prefix}"}, [plug], "")
    window = open_window()
    panel = window.sources_panel
    name = f"MQTT 127.0.0.1:{private_broker.port}"
    try:
        qtbot.waitUntil(lambda: panel.card(name) is not None, timeout=TIMEOUT_MS)
        card = panel.card(name)
        qtbot.waitUntil(lambda: card.state_label.text() == "Connected", timeout=TIMEOUT_MS)
        assert card.counters_label.text().endswith("0 of 1 online")
        publisher = Publisher(private_broker.url, prefix)
        publisher.publish(range(1, 4))
        publisher.close()
        qtbot.waitUntil(
            lambda: card.counters_label.text().endswith("1 of 1 online"), timeout=TIMEOUT_MS
        )

        private_broker.stop()
        qtbot.waitUntil(lambda: card.state_label.text() == "Reconnecting…", timeout=TIMEOUT_MS)
        assert card.reason_label.isVisible()
        assert card.reason_label.text().startswith(("connection lost", "cannot reach"))

        private_broker.start()
        qtbot.waitUntil(lambda: card.state_label.text() == "Connected", timeout=TIMEOUT_MS)
        assert not card.reason_label.isVisible()
    finally:
        restart_mqtt(services, None, [], "")
    qtbot.waitUntil(lambda: panel.card(name) is None, timeout=TIMEOUT_MS)


def test_plugs_that_cannot_run_show_as_stopped_with_the_reason(qtbot, open_window, services):
    device_id, [port] = device_with_ports(services, "Lamp plug", ["Lamp"], 5.0, 0.0, False)
    services.settings.plugs = [
        {"name": "lamp", "kind": "tasmota", "topic": "lamp", "device_id": device_id,
         "channels": {"1": port}}
    ]  # fmt: skip
    services.settings.mqtt = None  # plugs, but no broker
    start_mqtt(services)
    window = open_window()

    card = window.sources_panel.card("Smart plugs")
    assert card is not None
    assert card.state_label.text() == "Stopped"
    assert card.where_label.text() == "No smart plug running"
    assert card.reason_label.isVisible()
    assert card.reason_label.text() == (
        "the smart plugs are not read: plugs are configured but no broker:"
        " set one with `mqtt broker URL`"
    )
