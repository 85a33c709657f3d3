"""Emulated plugs of each family, through the real broker, into the database; detection cuts
them for real (the emulator's relay opens) and the plug's own report confirms the cut."""

from __future__ import annotations

import time

import pytest

from phantom_desktop.ingest.messages import PortCommand
from tests.ingest.mqtt.mqtt_helpers import Publisher, plug_config, port_status, stored
from tests.ingest.support import wait_until

pytestmark = pytest.mark.mqtt

TOPICS = {"tasmota": "{p}_tv", "shelly": "{p}/shellyplusplugs-tv", "z2m": "{p}/tv plug"}


@pytest.mark.parametrize("kind", ["tasmota", "shelly", "z2m"])
def test_readings_of_every_channel_reach_their_port(
    kind, prefix, broker_url, make_device, mqtt_source, plug, services
):
    topic = TOPICS[kind].format(p=prefix)
    device_id, ports = make_device(2, threshold_w=0.01, auto_cut=False)
    source = mqtt_source(broker_url, [plug_config(kind, topic, device_id, ports)])
    emulated = plug(kind, topic, profiles=["tv", "microwave"], seed=1, speed=1)

    wait_until(lambda: len(stored(services, ports[1])) >= 10, what="readings of channel 2")
    tv = [power for _p, power, _s in stored(services, ports[0])]
    microwave = [power for _p, power, _s in stored(services, ports[1])]
    assert all(80 * 0.8 < w < 150 * 1.2 for w in tv[:10]), tv[:10]  # a TV being watched
    assert all(2 * 0.9 < w < 4 * 1.1 for w in microwave[:10]), microwave[:10]  # its clock
    assert {s for _p, _w, s in stored(services)} == {"mqtt"}
    # The source counts a reading once the writer has delivered the commit's outcome.
    wait_until(lambda: source.status.counts["readings"] >= 20, what="the source's count")
    status = source.status
    assert status.plugs[f"{kind} plug"].online is True
    assert status.counts["rejected"] == 0
    assert emulated.published >= len(stored(services))


@pytest.mark.parametrize("kind", ["tasmota", "shelly", "z2m"])
def test_standby_is_cut_for_real_and_confirmed_then_turned_on_again(
    kind, prefix, broker_url, make_device, mqtt_source, plug, services
):
    topic = TOPICS[kind].format(p=prefix)
    device_id, [port] = make_device(1, threshold_w=5.0, min_duration_s=0.0, auto_cut=True)
    source = mqtt_source(broker_url, [plug_config(kind, topic, device_id, [port])])
    # A TV watched for a few readings, then in standby (0.5-3 W, under the 5 W threshold).
    emulated = plug(kind, topic, profiles=["tv"], seed=2, speed=3000)
    channel = emulated.wire.channels[0]

    wait_until(lambda: port_status(services, port) == "off", what="detection to cut the port")
    wait_until(lambda: emulated.relays[channel] is False, what="the plug's relay to open")
    wait_until(
        lambda: (r := source.switches.get(port)) is not None and r.label == "Off (confirmed)",
        what="the plug to confirm the cut",
    )
    cut_at = len(stored(services, port))
    wait_until(lambda: len(stored(services, port)) >= cut_at + 5, what="readings after the cut")
    after = [power for _p, power, _s in stored(services, port)[cut_at + 1 :]]
    assert after and all(power == 0.0 for power in after), after

    # Turn on (Ports / Alerts): the writer turns the port on, the source closes the relay, and
    # the TV's standby draw is measured again (and, still standby, soon cut again).
    on_at = len(stored(services, port))
    command = services.writer.command(PortCommand(port, status="active"))
    assert command.done.result(5) == "active"
    wait_until(lambda: (channel, True) in emulated.commands, what="the relay to close again")
    wait_until(
        lambda: any(power > 0 for _p, power, _s in stored(services, port)[on_at:]),
        what="standby power measured after switching on",
    )


def test_a_plug_that_does_not_answer_shows_cut_not_confirmed_and_a_retry_works(
    prefix, broker_url, make_device, mqtt_source, plug, services
):
    topic = f"{prefix}_deaf"
    device_id, [port] = make_device(1, threshold_w=5.0, auto_cut=True)
    source = mqtt_source(
        broker_url, [plug_config("tasmota", topic, device_id, [port])], confirm_timeout_s=0.5
    )
    emulated = plug("tasmota", topic, profiles=["charger"], seed=3, speed=3000, obey=False)

    wait_until(lambda: port_status(services, port) == "off", what="the cut")
    wait_until(
        lambda: (r := source.switches.get(port)) is not None and r.label == "cut not confirmed",
        what="the cut to time out unconfirmed",
    )
    assert emulated.relays[1] is True

    emulated.spec.obey = True
    assert source.switch(port, on=False)
    wait_until(lambda: source.switches.get(port).label == "Off (confirmed)", what="the retry")
    assert source.switches.get(port).attempts == 2
    assert emulated.relays[1] is False


def test_a_plug_that_vanishes_is_shown_offline_by_its_last_will(
    prefix, broker_url, make_device, mqtt_source, plug, services
):
    topic = f"{prefix}/shellyplusplugs-gone"
    device_id, [port] = make_device(1, auto_cut=False)
    source = mqtt_source(broker_url, [plug_config("shelly", topic, device_id, [port])])
    emulated = plug("shelly", topic, profiles=["fridge"], seed=4)
    wait_until(lambda: len(stored(services, port)) >= 3, what="readings")
    assert source.offline_ports() == frozenset()

    emulated.stop(gone=True)  # no goodbye: the broker publishes the plug's last will
    wait_until(lambda: source.offline_ports() == {port}, 30, "the plug to be seen offline")
    assert source.status.plugs["shelly plug"].online is False


def test_a_tasmota_report_interval_the_user_agreed_to_is_set_on_the_plug(
    prefix, broker_url, make_device, mqtt_source, plug
):
    device_id, [port] = make_device(1, auto_cut=False)
    config = plug_config("tasmota", f"{prefix}_slow", device_id, [port])
    emulated = plug("tasmota", f"{prefix}_slow", profiles=["tv"], interval_s=300.0)
    mqtt_source(broker_url, [{**config, "tele_period_s": 10}])
    wait_until(lambda: emulated.spec.interval_s == 10.0, what="TelePeriod 10 on the plug")


def test_a_port_is_not_judged_while_its_plug_is_away(
    prefix, broker_url, make_device, mqtt_source, services
):
    device_id, [port] = make_device(1, threshold_w=5.0, min_duration_s=1.0, auto_cut=True)
    source = mqtt_source(broker_url, [plug_config("tasmota", prefix, device_id, [port])])
    publisher = Publisher(broker_url, prefix)
    try:
        publisher.publish(range(1, 2))  # 1 W: standby starts
        wait_until(lambda: len(stored(services, port)) == 1, what="the first standby reading")
        publisher.client.publish(f"tele/{prefix}/LWT", "Offline", qos=1).wait_for_publish(5)
        wait_until(lambda: source.offline_ports() == {port}, what="the plug to be offline")
        time.sleep(1.5)  # away for longer than the minimum duration
        publisher.client.publish(f"tele/{prefix}/LWT", "Online", qos=1).wait_for_publish(5)
        publisher.publish(range(2, 3))
        wait_until(lambda: len(stored(services, port)) == 2, what="the reading after the return")
        assert port_status(services, port) == "active"  # the absence was not counted as standby
        time.sleep(1.1)
        publisher.publish(range(3, 4))  # standby for over a second since the return
        wait_until(lambda: port_status(services, port) == "off", what="the cut after the return")
    finally:
        publisher.close()
