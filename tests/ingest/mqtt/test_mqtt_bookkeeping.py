"""Broker acknowledgements go out in arrival order, only for finished messages of the current
connection; switch requests are confirmed by a matching relay report or expire; the socket is
read in large chunks, handed to paho packet by packet, and PUBLISH packets decode as paho's."""

from __future__ import annotations

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.client import PUBACK, PUBLISH

from phantom_desktop.ingest.mqtt.acks import AckQueue
from phantom_desktop.ingest.mqtt.buffered import BufferedClient, ReadBuffer
from phantom_desktop.ingest.mqtt.config import MqttConfigError, PlugConfig, parse_channel_map
from phantom_desktop.ingest.mqtt.cuts import SwitchTracker


def test_acks_wait_for_earlier_messages_and_keep_order():
    sent = []
    acks = AckQueue(sent.extend)
    first, second, third = acks.add(1, 1), acks.add(2, 1), acks.add(3, 1)
    acks.done(second)
    assert sent == []  # message 1 is not committed yet
    acks.done(first)
    assert sent == [1, 2]
    acks.done(third)
    assert sent == [1, 2, 3]
    assert acks.pending == 0


def test_acks_of_a_lost_connection_are_not_sent_on_the_new_one():
    sent = []
    acks = AckQueue(sent.extend)
    old = acks.add(7, 1)
    acks.new_connection()
    fresh = acks.add(7, 1)  # the broker redelivers with a packet id of the new connection
    acks.done(old)
    assert sent == []
    acks.done(fresh)
    assert sent == [7]


def test_qos0_messages_need_no_ack():
    sent = []
    acks = AckQueue(sent.extend)
    acks.done(acks.add(0, 0))
    assert sent == [] and acks.pending == 0


def test_a_cut_is_confirmed_only_by_the_plug_reporting_its_relay_open():
    tracker = SwitchTracker(timeout_s=10)
    tracker.request("port-1", "tv", 1, False, now=100.0)
    assert tracker.get("port-1").label == "cutting…"
    assert tracker.relay("tv", 1, True) == []  # still on: not confirmed
    assert tracker.relay("tv", 2, False) == []  # another channel
    [confirmed] = tracker.relay("tv", 1, False)
    assert confirmed.label == "Off (confirmed)"
    assert tracker.expire(now=1000.0) == []


def test_an_unanswered_cut_expires_as_not_confirmed_and_a_retry_counts():
    tracker = SwitchTracker(timeout_s=10)
    tracker.request("port-1", "tv", 1, False, now=100.0)
    assert tracker.expire(now=105.0) == []
    [expired] = tracker.expire(now=110.0)
    assert expired.label == "cut not confirmed"
    tracker.request("port-1", "tv", 1, False, now=120.0)
    assert tracker.get("port-1").attempts == 2
    assert tracker.get("port-1").state == "pending"


def test_plug_config_names_the_bad_field():
    good = {
        "name": "tv",
        "kind": "tasmota",
        "topic": "tv",
        "device_id": "d",
        "channels": {"1": "p"},
    }
    assert PlugConfig.from_dict(good).channels == {1: "p"}
    for change, words in [
        ({"kind": "zwave"}, "kind must be one of tasmota, shelly, z2m"),
        ({"topic": "tele/#"}, "must not hold [+] #"),
        ({"channels": {}}, "channels must map"),
        ({"channels": {"0": "p"}}, "tasmota channels count from 1"),
        ({"channels": {"1": "p", "2": "p"}}, "one port cannot be fed by two channels"),
        ({"device_id": ""}, "device_id must be a non-empty text"),
        ({"tele_period_s": 5}, "tele_period_s is for Tasmota plugs, from 10 to 3600 s"),
        ({"kind": "z2m", "tele_period_s": 60}, "tele_period_s is for Tasmota plugs"),
    ]:
        with pytest.raises(MqttConfigError, match=words):
            PlugConfig.from_dict({**good, **change})


def test_channel_map_from_the_command_line():
    assert parse_channel_map(["1=a", "2=b"], "tasmota") == {1: "a", 2: "b"}
    assert parse_channel_map(["a"], "shelly") == {0: "a"}
    with pytest.raises(MqttConfigError, match="channel 'x' is not a number"):
        parse_channel_map(["x=a"], "z2m")


class _Chunks:
    """A non-blocking socket that has received these chunks."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)
        self.reads = 0

    def recv(self, _size: int) -> bytes:
        self.reads += 1
        if not self.chunks:
            raise BlockingIOError
        return self.chunks.pop(0)


def test_the_read_buffer_hands_out_packets_as_the_socket_would_with_one_read():
    publish, puback = b"\x30\x03\x00\x01t", b"\x40\x02\x00\x07"
    sock = _Chunks(publish + puback + b"\x30")  # two packets and the first byte of a third
    buffer = ReadBuffer(sock)
    assert buffer.recv(1) == b"\x30" and buffer.recv(1) == b"\x03"
    assert buffer.recv(3) == b"\x00\x01t"
    assert buffer.next_type() == PUBACK and buffer.pending() == 5
    assert buffer.recv(4) == puback
    assert buffer.next_type() == PUBLISH
    assert buffer.recv(1) == b"\x30" and buffer.pending() == 0 and buffer.next_type() is None
    with pytest.raises(BlockingIOError):  # nothing more yet: paho waits in select()
        buffer.recv(1)
    assert sock.reads == 2


def received(header: int, packet: bytes) -> mqtt.MQTTMessage:
    """What a source's client hands to on_message for this PUBLISH (fixed header aside)."""
    client = BufferedClient(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5, manual_ack=True)
    messages: list[mqtt.MQTTMessage] = []
    client.on_message = lambda _client, _userdata, message: messages.append(message)
    client._in_packet = {"command": header, "packet": bytearray(packet)}
    assert client._handle_publish() == mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
    [message] = messages
    return message


def test_publish_packets_decode_as_paho_decodes_them():
    topic = b"\x00\x0etele/tv/SENSOR"  # length, then the topic
    body = b'{"ENERGY":{}}'
    message = received(0x3B, topic + b"\x01\x02" + b"\x00" + body)  # dup, QoS 1, retain
    assert (message.topic, message.payload, message.mid) == ("tele/tv/SENSOR", body, 258)
    assert (message.dup, message.qos, message.retain) == (True, 1, True)
    message = received(0x30, topic + b"\x00" + b"ON")  # QoS 0: no packet id
    assert (message.payload, message.mid, message.qos, message.dup) == (b"ON", 0, 0, False)
    expiry = b"\x05\x02\x00\x00\x00\x3c"  # properties: Message Expiry Interval 60 s
    message = received(0x32, topic + b"\x00\x07" + expiry + b"OFF")
    assert (message.payload, message.mid) == (b"OFF", 7)
    assert message.properties.MessageExpiryInterval == 60  # decoded by paho
