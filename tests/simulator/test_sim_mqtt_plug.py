"""`phantom-sim mqtt`: the emulated plugs speak each family's protocol as the app reads it, and
their relay obeys commands (0 W while open)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
import pytest

from phantom_desktop.ingest.mqtt.events import RelayState, Sample
from phantom_desktop.ingest.mqtt.families import FAMILIES
from simulator.mqtt_plug.payloads import ChannelReading, Wire


@pytest.mark.parametrize("kind", ["tasmota", "shelly", "z2m"])
def test_what_the_emulator_publishes_is_what_the_app_reads(kind):
    wire = Wire(kind, "home/plug" if kind != "tasmota" else "plug", channels=2)
    first = wire.channels[0]
    readings = [
        ChannelReading(first, True, 230.1, 0.5, 115.0),
        ChannelReading(first + 1, False, 230.1, 0.0, 0.0),
    ]
    events = []
    for message in wire.readings(readings, datetime(2024, 1, 1)):
        events += FAMILIES[kind].parse(wire.topic, message.topic, message.payload.encode())
    samples = [e for e in events if isinstance(e, Sample)]
    at = datetime(2024, 1, 1, tzinfo=UTC) if kind == "tasmota" else None  # Tasmota's own Time
    assert samples == [
        Sample(first, 115.0, 230.1, 0.5, at),
        Sample(first + 1, 0.0, 230.1, 0.0, at),
    ]


@pytest.mark.parametrize("kind", ["tasmota", "shelly", "z2m"])
def test_the_emulator_obeys_the_apps_switch_commands_and_reports_the_relay(kind):
    wire = Wire(kind, "home/plug" if kind != "tasmota" else "plug", channels=2)
    channel = wire.channels[1]
    command = FAMILIES[kind].switch(wire.topic, channel, on=False)
    changes, _reply = wire.command(command.topic, command.payload.encode())
    assert changes == {channel: False}
    reported = []
    for message in wire.relay_state(ChannelReading(channel, False, 230.0, 0.0, 0.0)):
        reported += FAMILIES[kind].parse(wire.topic, message.topic, message.payload.encode())
    assert RelayState(channel, False) in reported


def _broker_or_skip() -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    try:
        client.connect("127.0.0.1", 1883)
    except OSError as exc:
        if os.environ.get("PHANTOM_REQUIRE_MQTT") == "1":
            pytest.fail(f"an MQTT broker is required (PHANTOM_REQUIRE_MQTT=1): {exc}")
        pytest.skip(f"no MQTT broker at 127.0.0.1:1883: {exc}")
    client.disconnect()


@pytest.mark.mqtt
@pytest.mark.slow
def test_phantom_sim_mqtt_process_reports_0_w_after_an_off_command():
    _broker_or_skip()
    topic = f"sim{uuid.uuid4().hex[:8]}"
    powers: list[float] = []
    listener = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    listener.on_message = lambda _c, _u, m: powers.append(json.loads(m.payload)["ENERGY"]["Power"])
    listener.connect("127.0.0.1", 1883)
    listener.subscribe(f"tele/{topic}/SENSOR", qos=1)
    listener.loop_start()
    args = ["--kind", "tasmota", "--topic", topic, "--interval", "0.1", "--profile", "tv"]
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "mqtt", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "Emulating a tasmota plug" in process.stdout.readline()
        deadline = time.monotonic() + 10
        while len(powers) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert powers and all(p > 50 for p in powers), powers  # a TV being watched
        listener.publish(f"cmnd/{topic}/POWER1", "OFF", qos=1)
        assert "relay 1 opened (off) by command" in process.stdout.readline()
        count = len(powers)
        while len(powers) < count + 3 and time.monotonic() < deadline + 5:
            time.sleep(0.05)
        assert powers[-2:] == [0.0, 0.0]
    finally:
        process.terminate()
        process.wait(10)
        announce = Wire("tasmota", topic, 1).announce(topic)
        for retained in (f"tele/{topic}/LWT", announce.topic if announce else ""):
            listener.publish(retained, b"", qos=1, retain=True).wait_for_publish(5)
        listener.disconnect()
        listener.loop_stop()
    assert process.returncode == 0
