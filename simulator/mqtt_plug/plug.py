"""An emulated smart plug on an MQTT broker: appliances on its channels, a relay that obeys.

Publishes readings every `interval_s` (0 W on a channel whose relay is open), answers switch
commands by switching and reporting the new relay state at once, keeps a last will, and
announces itself the way its family does. Runs on paho's loop thread plus one timer thread.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from simulator.meter import Meter
from simulator.mqtt_plug.payloads import ChannelReading, Message, Wire
from simulator.profiles import DEFAULT_SPEED, PROFILES, Appliance


@dataclass
class PlugSpec:
    kind: str
    topic: str
    profiles: list[str] = field(default_factory=lambda: ["tv"])
    interval_s: float = 1.0
    speed: float = DEFAULT_SPEED
    mains_v: float = 230.0
    seed: int | None = None
    name: str = ""
    obey: bool = True  # False: ignore switch commands (a plug that never confirms)


class EmulatedPlug:
    """`start()` connects and publishes until `stop()`; `published` counts channel readings."""

    def __init__(self, spec: PlugSpec, host: str = "127.0.0.1", port: int = 1883) -> None:
        for profile in spec.profiles:
            if profile not in PROFILES:
                raise ValueError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
        self.spec = spec
        self.wire = Wire(spec.kind, spec.topic, len(spec.profiles))
        rng = random.Random(f"{spec.seed}:{spec.topic}") if spec.seed is not None else None
        rng = rng or random.Random()
        self.appliances = {
            ch: Appliance(PROFILES[p], rng)
            for ch, p in zip(self.wire.channels, spec.profiles, strict=True)
        }
        self.meter = Meter(spec.mains_v, rng)
        self.relays = dict.fromkeys(self.wire.channels, True)
        self.published = 0
        self.commands: list[tuple[int, bool]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._host, self._port = host, port
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"sim-{spec.kind}-{spec.topic}"[:64]
        )
        will = self.wire.will()
        self.client.will_set(will.topic, will.payload, qos=1, retain=will.retain)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.max_inflight_messages_set(100)
        self._connected = threading.Event()

    @property
    def name(self) -> str:
        return self.spec.name or self.spec.topic.rsplit("/", 1)[-1]

    def start(self, wait_s: float = 10.0) -> None:
        self.client.connect_async(self._host, self._port, keepalive=10)
        self.client.loop_start()
        if not self._connected.wait(wait_s):
            self.client.loop_stop()
            raise ConnectionError(f"cannot reach the broker at {self._host}:{self._port}")
        self._thread = threading.Thread(target=self._run, name=f"plug-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, *, gone: bool = False) -> None:
        """Stop publishing; `gone`: vanish without saying goodbye (the broker sends the will)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if gone:
            self.client.loop_stop()
            sock = self.client.socket()
            if sock is not None:
                sock.close()
            return
        self._publish(self.wire.will())
        self.client.disconnect()
        self.client.loop_stop()

    def clear_retained(self) -> None:
        """Remove what this plug left retained on the broker (birth, will, announcement)."""
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        client.connect(self._host, self._port)
        client.loop_start()
        retained = [self.wire.will(), self.wire.announce(self.name)]
        if self.spec.kind == "z2m":
            retained.append(Message(self._bridge_topic, "", retain=True))
        for message in retained:
            if message is not None and message.retain:
                client.publish(message.topic, b"", qos=1, retain=True).wait_for_publish(5)
        client.disconnect()
        client.loop_stop()

    # -- MQTT --------------------------------------------------------------------------------
    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            return
        client.subscribe(self.wire.command_filter, qos=1)
        client.subscribe("shellies/command", qos=0)
        self._publish(self.wire.birth())
        announce = self.wire.announce(self.name)
        if announce is not None and announce.retain:
            self._publish(announce)
        if self.spec.kind == "z2m":
            client.subscribe(self._bridge_topic, qos=1)
        self._connected.set()

    @property
    def _bridge_topic(self) -> str:
        return f"{self.spec.topic.split('/', 1)[0]}/bridge/devices"

    def _on_message(
        self, _client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage
    ) -> None:
        payload = bytes(message.payload)
        if message.topic == "shellies/command":
            announce = self.wire.announce(self.name)
            if message.payload == b"announce" and announce is not None and not announce.retain:
                self._publish(announce)
            return
        if message.topic == self._bridge_topic:
            self._join_bridge(payload)
            return
        if not self.spec.obey:
            return
        changes, reply = self.wire.command(message.topic, payload)
        for channel, on in changes.items():
            with self._lock:
                self.relays[channel] = not self.relays[channel] if on is None else on
                state = self.relays[channel]
            self.commands.append((channel, state))
            for out in self.wire.relay_state(self._reading(channel, advance=False)):
                self._publish(out)
        if self.wire.tele_period_s is not None:
            self.spec.interval_s = float(self.wire.tele_period_s)
        if reply is not None:
            self._publish(reply)

    def _join_bridge(self, payload: bytes) -> None:
        """Add this plug to zigbee2mqtt's retained device list (other emulators share it)."""
        try:
            devices = json.loads(payload) if payload else []
        except ValueError:
            devices = []
        mine = self.wire.z2m_device()
        if not isinstance(devices, list) or mine in devices:
            return
        devices = [d for d in devices if d.get("friendly_name") != mine["friendly_name"]]
        self._publish(Message(self._bridge_topic, json.dumps([*devices, mine]), retain=True))

    def _publish(self, message: Message) -> None:
        self.client.publish(message.topic, message.payload, qos=1, retain=message.retain)

    # -- readings ----------------------------------------------------------------------------
    def _reading(self, channel: int, advance: bool = True) -> ChannelReading:
        with self._lock:
            on = self.relays[channel]
        appliance = self.appliances[channel]
        draw = appliance.power() if on else 0.0
        if advance:
            appliance.advance(self.spec.interval_s * self.spec.speed)
        measured = self.meter.measure(draw)
        return ChannelReading(channel, on, measured.voltage, measured.current, measured.power)

    def _run(self) -> None:
        next_at = time.monotonic()
        if self.spec.kind == "z2m":
            # bridge/devices may be empty (no retained list yet): publish ours after a moment
            if self._stop.wait(0.5):
                return
            self._join_bridge(b"")
        while not self._stop.is_set():
            readings = [self._reading(channel) for channel in self.wire.channels]
            for message in self.wire.readings(readings, datetime.now()):
                self._publish(message)
            self.published += len(readings)
            next_at += self.spec.interval_s
            if self._stop.wait(max(0.0, next_at - time.monotonic())):
                break
