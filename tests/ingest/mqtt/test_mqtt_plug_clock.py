"""Readings carry their plug's own time only to keep the spacing of what the broker kept for us
while we were away, and only from a plug whose clock was seen right."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import text

from phantom_desktop.ingest.mqtt.plug_clock import PlugClocks
from tests.ingest.mqtt.mqtt_helpers import Publisher, plug_config
from tests.ingest.support import wait_until

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_messages_kept_by_the_broker_keep_their_spacing_once_the_clock_was_seen_right():
    clocks = PlugClocks()
    assert clocks.stamp("tv", at(-2), at(0)) == at(0)  # live, 2 s apart: on arrival, verified
    clocks.reconnected()
    # Kept for 10 minutes, delivered within a second of reconnecting: the plug's own times,
    # shifted by the 2 s its clock was behind.
    kept = [clocks.stamp("tv", at(s), at(600 + s / 1000)) for s in (60, 120, 180)]
    assert kept == [at(62), at(122), at(182)]
    assert clocks.stamp("tv", at(599), at(600.5)) == at(600.5)  # live again: on arrival
    assert clocks.stamp("tv", at(300), at(601)) == at(601)  # the catch-up is over


def test_a_wrong_clock_is_never_believed():
    clocks = PlugClocks()
    for n in range(3):  # an hour behind (a wrong Timezone), then back at 1970 (no NTP)
        assert clocks.stamp("tv", at(n - 3600), at(n)) == at(n)
    clocks.reconnected()
    assert clocks.stamp("tv", at(100 - 3600), at(200)) == at(200)
    assert clocks.stamp("tv", datetime(1970, 1, 1, tzinfo=UTC), at(201)) == at(201)


def test_nothing_is_believed_before_the_clock_was_seen_right_or_after_it_went_back():
    clocks = PlugClocks()
    clocks.reconnected()  # the app just started: what was kept arrives first, unverified
    assert clocks.stamp("tv", at(-300), at(0)) == at(0)
    assert clocks.stamp("tv", at(1), at(1)) == at(1)  # now verified
    clocks.reconnected()
    assert clocks.stamp("tv", at(30), at(100)) == at(30)
    assert clocks.stamp("tv", at(20), at(100.1)) == at(100.1)  # went back: a reboot
    assert clocks.stamp("tv", at(40), at(100.2)) == at(100.2)  # no longer catching up
    assert clocks.stamp("tv", None, at(101)) == at(101)  # no time in the message


def as_utc(stamp: datetime | str) -> datetime:
    moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def stamps(services, port: str) -> list[datetime]:
    query = text("SELECT timestamp FROM power_readings WHERE port_id = :p ORDER BY power")
    with services.engine.connect() as conn:
        return [as_utc(stamp) for (stamp,) in conn.execute(query, {"p": port})]


@pytest.mark.mqtt
def test_readings_kept_by_the_broker_while_we_were_away_keep_the_plugs_spacing(
    prefix, private_broker, make_device, mqtt_source, services
):
    device_id, [port] = make_device(1, threshold_w=0.01, auto_cut=False)
    plug = plug_config("tasmota", prefix, device_id, [port])
    source = mqtt_source(private_broker.url, [plug])
    publisher = Publisher(private_broker.url, prefix)
    start = datetime.now()  # a Tasmota plug's time: local, to the second, no zone

    def send(power: int) -> mqtt.MQTTMessageInfo:
        moment = (start + timedelta(seconds=power - 1)).strftime("%Y-%m-%dT%H:%M:%S")
        payload = json.dumps({"Time": moment, "ENERGY": {"Power": float(power)}})
        return publisher.client.publish(f"tele/{prefix}/SENSOR", payload, qos=1)

    try:
        send(1)  # live: verifies the plug's clock
        wait_until(lambda: len(stamps(services, port)) == 1, 10, "the live reading")
        private_broker.stop()
        wait_until(lambda: source.status.state == "reconnecting", 10, "the source to notice")
        for power in (3, 4, 5):  # made 2, 3, 4 s after the first; paho sends them later
            send(power)
        time.sleep(max(0.0, 10 - (datetime.now() - start).total_seconds()))  # 5 s+ old
        private_broker.start()
        wait_until(lambda: len(stamps(services, port)) == 4, 20, "the kept readings")
    finally:
        publisher.close()
    first, *kept = stamps(services, port)
    assert [(stamp - first).total_seconds() for stamp in kept] == [2.0, 3.0, 4.0]
