"""Nothing acknowledged is lost: the broker restarting mid-stream and the app dying with messages
in flight both end with every published reading in the database."""

from __future__ import annotations

import time

import pytest

from phantom_desktop.ingest.mqtt.client import RECEIVE_MAXIMUM
from tests.ingest.mqtt.mqtt_helpers import Publisher, plug_config, stored
from tests.ingest.support import wait_until

pytestmark = pytest.mark.mqtt


def powers(services, port: str) -> list[float]:
    return [power for _p, power, _s in stored(services, port)]


def crash(source) -> None:
    """Die like a killed process: the connection drops, nothing more is acknowledged."""
    client = source._client
    source._client = None  # late commits find no client to acknowledge with
    client.loop_stop()
    client.socket().close()
    source._writer.remove_listener(source._on_batch)
    source._stop.set()


def test_a_broker_restart_mid_stream_loses_and_repeats_nothing(
    prefix, private_broker, make_device, mqtt_source, services
):
    device_id, [port] = make_device(1, threshold_w=0.01, auto_cut=False)
    plug = plug_config("tasmota", prefix, device_id, [port])
    source = mqtt_source(private_broker.url, [plug])
    publisher = Publisher(private_broker.url, prefix)
    try:
        publisher.publish(range(1, 1501))
        private_broker.restart()  # clean restart: Mosquitto keeps sessions and queued messages
        wait_until(lambda: source.status.state == "connected", 20, "the source to reconnect")
        wait_until(lambda: publisher.client.is_connected(), 20, "the publisher to reconnect")
        publisher.publish(range(1501, 3001))
        wait_until(lambda: len(powers(services, port)) >= 3000, 60, "all 3000 readings")
        time.sleep(0.5)  # a redelivery would arrive now
    finally:
        publisher.close()
    assert sorted(powers(services, port)) == [float(i) for i in range(1, 3001)]
    assert source.status.counts["reconnects"] >= 1


def test_messages_in_flight_when_the_app_dies_arrive_after_restart(
    prefix, private_broker, make_device, mqtt_source, services
):
    device_id, [port] = make_device(1, threshold_w=0.01, auto_cut=False)
    plug = plug_config("tasmota", prefix, device_id, [port])
    client_id = f"phantom-test-{prefix}"  # the persistent session outlives the process
    first = mqtt_source(private_broker.url, [plug], client_id=client_id)
    publisher = Publisher(private_broker.url, prefix)
    try:
        publisher.publish(range(1, 1001))
        wait_until(lambda: len(powers(services, port)) >= 100, 20, "the first readings")
        crash(first)
        publisher.publish(range(1001, 2001))  # queued by the broker while the app is down
        second = mqtt_source(private_broker.url, [plug], client_id=client_id)
        wait_until(lambda: set(powers(services, port)) >= set(map(float, range(1, 2001))), 60)
    finally:
        publisher.close()
    stored_powers = powers(services, port)
    assert set(stored_powers) == {float(i) for i in range(1, 2001)}
    # At least once: readings committed whose acknowledgement had not reached the broker come
    # again; there are never more of them than the broker lets us hold unacknowledged.
    repeated = len(stored_powers) - 2000
    assert 0 <= repeated <= RECEIVE_MAXIMUM
    assert second.status.counts["readings"] >= 1000
