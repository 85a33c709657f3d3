"""Messages read back to back reach the writer together, yet each is judged alone: a burst that
holds readings of a deleted port still stores the readings of the device's other plug."""

from __future__ import annotations

import json

import pytest

from phantom_desktop.store.repository import delete_port
from tests.ingest.mqtt.mqtt_helpers import Publisher, stored
from tests.ingest.support import wait_until

pytestmark = pytest.mark.mqtt


def test_a_refused_message_does_not_take_its_burst_with_it(
    prefix, private_broker, make_device, mqtt_source, services
):
    device_id, [kept, deleted] = make_device(2, threshold_w=0.01, auto_cut=False)
    plugs = [
        {"name": name, "kind": "tasmota", "topic": f"{prefix}_{name}", "device_id": device_id,
         "channels": {"1": port}}
        for name, port in (("a", kept), ("b", deleted))
    ]  # fmt: skip
    client_id = f"phantom-test-{prefix}"
    mqtt_source(private_broker.url, plugs, client_id=client_id).stop()  # subscribed, then away
    with services.sessions.begin() as session:
        delete_port(session, services.user_id, deleted)
    publisher = Publisher(private_broker.url, f"{prefix}_a")
    try:  # queued by the broker, interleaved: they come back to back when the source returns
        infos = [
            publisher.client.publish(
                f"tele/{prefix}_{name}/SENSOR", json.dumps({"ENERGY": {"Power": float(i)}}), 1
            )
            for i in range(1, 301)
            for name in ("a", "b")
        ]
        for info in infos:
            info.wait_for_publish(30)
        source = mqtt_source(private_broker.url, plugs, client_id=client_id)
        wait_until(lambda: source.status.counts["rejected"] >= 300, 30, "the refusals")
        wait_until(lambda: len(stored(services, kept)) >= 300, 30, "plug a's readings")
    finally:
        publisher.close()
    assert [power for _p, power, _s in stored(services, kept)] == [float(i) for i in range(1, 301)]
    assert source.status.counts["rejected"] == 300
    assert source.status.counts["readings"] == 300
