"""Each plug family's messages turn into the samples, relay states and availability they carry,
and its switch commands are the ones the plug obeys."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from phantom_desktop.ingest.mqtt.events import Availability, FoundPlug, Outgoing, RelayState, Sample
from phantom_desktop.ingest.mqtt.families import FAMILIES

tasmota, shelly, z2m = FAMILIES["tasmota"], FAMILIES["shelly"], FAMILIES["z2m"]


def test_tasmota_single_channel_sensor_with_the_plugs_time():
    payload = b'{"Time":"2024-01-01T12:00:00","ENERGY":{"Power":42,"Voltage":231,"Current":0.19}}'
    assert tasmota.plug_topic("tele/tv/SENSOR") == "tv"
    local = datetime(2024, 1, 1, 12).astimezone()  # no zone: this computer's local time
    assert tasmota.parse("tv", "tele/tv/SENSOR", payload) == [Sample(1, 42.0, 231.0, 0.19, local)]
    with_zone = b'{"Time":"2024-01-01T12:00:00-07:00","ENERGY":{"Power":42}}'  # SetOption52
    [sample] = tasmota.parse("tv", "tele/tv/SENSOR", with_zone)
    assert sample.at == datetime(2024, 1, 1, 19, tzinfo=UTC)
    [sample] = tasmota.parse("tv", "tele/tv/SENSOR", b'{"Time":"soon","ENERGY":{"Power":42}}')
    assert sample.at is None


def test_tasmota_multi_channel_arrays_share_a_scalar_voltage():
    payload = json.dumps(
        {"ENERGY": {"Power": [12.5, 0, 80], "Voltage": 230, "Current": [0.05, 0, 0.35]}}
    )
    assert tasmota.parse("strip", "tele/strip/SENSOR", payload.encode()) == [
        Sample(1, 12.5, 230.0, 0.05),
        Sample(2, 0.0, 230.0, 0.0),
        Sample(3, 80.0, 230.0, 0.35),
    ]


def test_tasmota_sensor_without_energy_or_with_garbage_says_nothing():
    assert tasmota.parse("t", "tele/t/SENSOR", b'{"AM2301":{"Temperature":21}}') == []
    assert tasmota.parse("t", "tele/t/SENSOR", b"not json") == []
    assert tasmota.parse("t", "tele/t/SENSOR", b'{"ENERGY":{"Power":"x"}}') == []
    assert tasmota.parse("t", "tele/t/SENSOR", b'{"ENERGY":{"Power":-3}}') == []


def test_tasmota_relay_state_from_power_topics_result_and_state():
    assert tasmota.parse("t", "stat/t/POWER", b"OFF") == [RelayState(1, False)]
    assert tasmota.parse("t", "stat/t/POWER2", b"ON") == [RelayState(2, True)]
    assert tasmota.parse("t", "stat/t/RESULT", b'{"POWER1":"OFF"}') == [RelayState(1, False)]
    state = b'{"Uptime":"0T00:01:00","POWER1":"ON","POWER2":"OFF","Wifi":{}}'
    assert tasmota.parse("t", "tele/t/STATE", state) == [RelayState(1, True), RelayState(2, False)]
    assert tasmota.parse("t", "stat/t/STATUS", b"{}") == []


def test_tasmota_last_will_and_commands():
    assert tasmota.parse("t", "tele/t/LWT", b"Offline") == [Availability(False)]
    assert tasmota.parse("t", "tele/t/LWT", b"Online") == [Availability(True)]
    assert tasmota.switch("t", 2, False) == Outgoing("cmnd/t/POWER2", "OFF")
    assert tasmota.switch("t", 1, True) == Outgoing("cmnd/t/POWER1", "ON")
    assert tasmota.tele_period("t", 3) == Outgoing("cmnd/t/TelePeriod", "10")


def test_shelly_switch_status_and_online():
    payload = (
        b'{"id":0,"source":"timer","output":true,"apower":8.9,"voltage":237.5,"current":0.068}'
    )
    assert shelly.plug_topic("shellyplusplugs-a1/status/switch:0") == "shellyplusplugs-a1"
    assert shelly.parse("shellyplusplugs-a1", "shellyplusplugs-a1/status/switch:0", payload) == [
        Sample(0, 8.9, 237.5, 0.068),
        RelayState(0, True),
    ]
    assert shelly.parse("home/s", "home/s/online", b"false") == [Availability(False)]
    assert shelly.parse("home/s", "home/s/status/sys", b"{}") == []


def test_shelly_switch_is_an_rpc_switch_set():
    command = shelly.switch("home/s", 1, False)
    body = json.loads(command.payload)
    assert command.topic == "home/s/rpc"
    assert body["method"] == "Switch.Set" and body["params"] == {"id": 1, "on": False}
    assert isinstance(body["id"], int) and body["src"]


def test_z2m_state_power_and_endpoints():
    payload = b'{"power":3.2,"voltage":229,"current":0.02,"state":"ON","linkquality":90}'
    assert z2m.plug_topic("zigbee2mqtt/tv plug") == "zigbee2mqtt/tv plug"
    assert z2m.parse("zigbee2mqtt/tv plug", "zigbee2mqtt/tv plug", payload) == [
        Sample(1, 3.2, 229.0, 0.02),
        RelayState(1, True),
    ]
    two = b'{"power_l1":1,"state_l1":"OFF","power_l2":60,"state_l2":"ON"}'
    assert z2m.parse("z/p", "z/p", two) == [
        Sample(1, 1.0),
        RelayState(1, False),
        Sample(2, 60.0),
        RelayState(2, True),
    ]


def test_z2m_availability_both_styles_and_commands():
    assert z2m.parse("z/p", "z/p/availability", b'{"state":"offline"}') == [Availability(False)]
    assert z2m.parse("z/p", "z/p/availability", b"online") == [Availability(True)]
    assert z2m.plug_topic("zigbee2mqtt/bridge/state") is None
    assert z2m.plug_topic("zigbee2mqtt/p/set") is None
    assert z2m.switch("z/p", 1, False) == Outgoing("z/p/set", '{"state": "OFF"}')
    assert z2m.switch("z/p", 2, True) == Outgoing("z/p/set", '{"state_l2": "ON"}')


@pytest.mark.parametrize(
    ("family", "topic", "payload", "found"),
    [
        (
            "tasmota",
            "tasmota/discovery/A1B2C3D4E5F6/config",
            {"t": "tasmota_A1", "dn": "TV plug", "md": "Sonoff S31", "rl": [1, 1, 0]},
            FoundPlug("tasmota", "tasmota_A1", "TV plug", (1, 2), "Sonoff S31"),
        ),
        (
            "shelly",
            "shellies/announce",
            {"id": "shellyplusplugs-a1", "model": "SNPL-00112EU", "gen": 2, "name": "Desk"},
            FoundPlug("shelly", "shellyplusplugs-a1", "Desk", (), "SNPL-00112EU"),
        ),
    ],
)
def test_discovery_announcements(family, topic, payload, found):
    assert FAMILIES[family].discover(topic, json.dumps(payload).encode()) == [found]


def test_shelly_gen1_announcements_are_not_gen2_plugs():
    gen1 = json.dumps({"id": "shellyplug-s-1", "model": "SHPLG-S"}).encode()
    assert shelly.discover("shellies/announce", gen1) == []


def test_z2m_bridge_devices_lists_only_metered_switches():
    def device(name, properties):
        return {
            "friendly_name": name,
            "definition": {
                "vendor": "IKEA",
                "model": "E1603",
                "exposes": [{"type": "switch", "features": [{"property": "state"}]}]
                + [{"type": "numeric", "property": p} for p in properties],
            },
        }

    devices = [
        {"friendly_name": "Coordinator", "type": "Coordinator", "definition": None},
        device("lamp switch", []),
        device("tv plug", ["power", "voltage", "current"]),
    ]
    found = z2m.discover("zigbee2mqtt/bridge/devices", json.dumps(devices).encode())
    assert found == [FoundPlug("z2m", "zigbee2mqtt/tv plug", "tv plug", (1,), "IKEA E1603")]
