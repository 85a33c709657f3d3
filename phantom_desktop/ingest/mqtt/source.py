"""An MQTT source: one broker connection (paho's loop thread) feeding the writer from plugs.

Every QoS 1 message is acknowledged to the broker only once the readings it carries are
committed, in arrival order (`AckQueue`); until then the broker's persistent session keeps it,
so a crash, a broker restart or a database outage loses nothing. A redelivered message whose
readings were already committed (the ack was lost) is recognised and not stored twice.
Messages read back to back reach the writer as one submission per device (`Burst`).
When the writer turns a port off or on, the plug feeding it gets the switch command and the
request waits for the plug's own report of its relay (`SwitchTracker`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import (
    CREATED,
    CommittedBatch,
    Outcome,
    PortCommand,
    Submission,
)
from phantom_desktop.ingest.mqtt import cuts
from phantom_desktop.ingest.mqtt.acks import AckEntry, AckQueue
from phantom_desktop.ingest.mqtt.buffered import BufferedClient, more_messages
from phantom_desktop.ingest.mqtt.burst import Bundle, Burst, MessageKey, Part, submission
from phantom_desktop.ingest.mqtt.client import connect_async, make_client, reason_text
from phantom_desktop.ingest.mqtt.config import BrokerConfig, PlugConfig
from phantom_desktop.ingest.mqtt.cuts import SwitchTracker
from phantom_desktop.ingest.mqtt.events import Availability, Event, RelayState, Sample
from phantom_desktop.ingest.mqtt.families import FAMILIES
from phantom_desktop.ingest.mqtt.plug_clock import PlugClocks
from phantom_desktop.ingest.mqtt.router import Router
from phantom_desktop.ingest.mqtt.status import MqttStats, MqttStatus, PlugState, State
from phantom_desktop.ingest.mqtt.tasmota import Tasmota
from phantom_desktop.ingest.retry import is_transient
from phantom_desktop.ingest.serial.status import LogThrottle
from phantom_desktop.ingest.writer import Writer

log = logging.getLogger(__name__)

BACKOFF_MIN_S = 1
BACKOFF_MAX_S = 30
RETRY_AFTER_S = 1.0  # resubmit readings the store or the writer could not take
TICK_S = 0.25
REMEMBERED = 50_000  # committed messages remembered to recognise redeliveries
PORT_ON, PORT_OFF = "active", "off"


class MqttSource:
    """Serves the configured plugs of one broker. `start()`, `stop()`, `status`; thread-safe."""

    def __init__(
        self,
        broker: BrokerConfig,
        plugs: list[PlugConfig],
        writer: Writer,
        *,
        confirm_timeout_s: float | None = None,
        backoff: tuple[int, int] = (BACKOFF_MIN_S, BACKOFF_MAX_S),
    ) -> None:
        self.broker = broker
        self._writer = writer
        self._router = Router(plugs)
        self._backoff = backoff
        self._stats = MqttStats(
            self.name, broker.url, [PlugState(p.name, p.kind, p.topic) for p in plugs]
        )
        self.switches = SwitchTracker(
            cuts.CONFIRM_TIMEOUT_S if confirm_timeout_s is None else confirm_timeout_s
        )
        self._throttle = LogThrottle(log)
        self._client: BufferedClient | None = None
        self._acks = AckQueue(self._send_acks)
        self._burst = Burst(self)
        self._clocks = PlugClocks()
        self._committed: OrderedDict[MessageKey, None] = OrderedDict()
        self._committed_lock = threading.Lock()
        self._retry: deque[Submission] = deque()
        self._draining = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"MqttSource({self.broker.url!r}, {len(self._router.plugs)} plugs)"

    # -- what the window needs ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"MQTT {self.broker.host}:{self.broker.port}"

    @property
    def plugs(self) -> list[PlugConfig]:
        return self._router.plugs

    @property
    def port_ids(self) -> frozenset[str]:
        return frozenset(self._router.by_port)

    @property
    def status(self) -> MqttStatus:
        return self._stats.snapshot(self.switches.snapshot())

    @property
    def running(self) -> bool:
        return self._client is not None

    def offline_ports(self) -> frozenset[str]:
        """Ports whose plug said it is offline (its last will): not judged while away."""
        offline = {p.name for p in self.status.plugs.values() if p.online is False}
        return frozenset(
            port for port, (plug, _ch) in self._router.by_port.items() if plug.name in offline
        )

    def port_labels(self) -> dict[str, str]:
        """What the window shows in a port's status for its plug: "Offline", a cut waiting for
        or lacking the plug's confirmation, "Off (confirmed)"; ports without news are absent."""
        status = self.status
        labels = {}
        for port_id, (plug, _channel) in self._router.by_port.items():
            request = status.switches.get(port_id)
            if status.plugs[plug.name].online is False:
                labels[port_id] = "Offline"
            elif request is not None and not (request.on and request.state == "confirmed"):
                labels[port_id] = request.label[0].upper() + request.label[1:]
        return labels

    def switch(self, port_id: str, on: bool) -> bool:
        """Send the port's plug the command to close (`on`) or open its relay; False when no plug
        of this source feeds the port. The tracker then waits for the plug's confirmation."""
        target = self._router.by_port.get(port_id)
        client = self._client
        if target is None or client is None:
            return False
        plug, channel = target
        command = FAMILIES[plug.kind].switch(plug.topic, channel, on)
        self.switches.request(port_id, plug.name, channel, on, time.monotonic())
        client.publish(command.topic, command.payload, qos=command.qos)
        self._stats.count("commands")
        log.info("%s: %s %s (port %s)", self.name, command.topic, command.payload, port_id)
        return True

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        if self._client is not None:
            return
        self._stop.clear()
        self._draining = False
        client = make_client(self.broker, manual_ack=True)
        client.reconnect_delay_set(*self._backoff)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_connect_fail = self._on_connect_fail
        client.on_message = self._on_message
        self._client = client
        self._stats.set_state("connecting")
        self._writer.add_listener(self._on_batch)
        connect_async(client, self.broker, persistent=True)
        client.loop_start()
        self._ticker = threading.Thread(target=self._tick, name=f"mqtt-{self.name}", daemon=True)
        self._ticker.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Take no new messages, wait (up to `timeout`) until those in hand are committed and
        acknowledged, then disconnect. Whatever is left unacknowledged the broker keeps."""
        client = self._client
        if client is None:
            return
        self._draining = True
        deadline = time.monotonic() + timeout
        while (self._acks.pending or self._retry) and time.monotonic() < deadline:
            time.sleep(0.02)
        self._writer.remove_listener(self._on_batch)
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout)
        client.disconnect()
        client.loop_stop()
        self._client = None
        self._stats.set_state("stopped")

    # -- paho callbacks (the client's loop thread) ---------------------------------------------
    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: object,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            reason = reason_text(reason_code)
            self._stats.set_state("error", f"the broker refused us: {reason}")
            self._throttle.warning("refused", "%s: the broker refused us: %s", self.name, reason)
            return
        self._acks.new_connection()
        self._clocks.reconnected()
        self._stats.set_state("connected")
        log.info("%s: connected (session present: %s)", self.name, flags.session_present)
        topics = self._router.subscriptions()
        if topics:
            client.subscribe([(topic, 1) for topic in topics])
        for plug in self._router.plugs:
            if plug.tele_period_s:  # the user agreed: Tasmota's default 300 s is too slow
                command = Tasmota().tele_period(plug.topic, plug.tele_period_s)
                client.publish(command.topic, command.payload, qos=command.qos)

    def _on_disconnect(
        self,
        _client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        self._flush()  # what was read before the loss
        if self._stop.is_set() or self._draining or self._stats.state == "error":
            return  # stopping, or refused: the refusal stays what the window shows
        self._stats.count("reconnects")
        reason = reason_text(reason_code)
        self._stats.set_state("reconnecting", f"connection lost: {reason}")
        self._throttle.warning("lost", "%s: connection lost (%s); reconnecting", self.name, reason)

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: object) -> None:
        state: State = "reconnecting" if self._stats.get("reconnects") else "connecting"
        self._stats.set_state(state, f"cannot reach {self.broker.host}:{self.broker.port}")
        self._throttle.warning("fail", "%s: cannot reach the broker", self.name)

    def _on_message(
        self, client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage
    ) -> None:
        if self._draining:
            return  # not acknowledged: the broker delivers it again next session
        entry = self._acks.add(message.mid, message.qos)
        payload = bytes(message.payload)  # bytes already: no copy
        topic = message.topic  # decoded by paho at each access
        routed = self._router.route(topic, payload)
        if routed is None:
            self._acks.done(entry)
        else:
            plug, events = routed
            readings = self._readings(plug, events, message.retain)
            key = (topic, payload)
            if readings and not (message.dup and self._was_committed(key)):
                self._burst.add(plug.name, plug.device_id, Part(entry, key, readings))
            else:
                self._stats.count("messages")
                if readings:
                    self._stats.count("duplicates")
                self._acks.done(entry)
        if self._burst.messages and (self._burst.full or not more_messages(client)):
            self._flush()

    def _flush(self) -> None:
        """Hand the burst to the writer (paho's thread)."""
        burst = self._burst
        if burst.messages:
            self._stats.heard_samples(burst.plugs, burst.messages)
            for item in burst.take():
                self._submit(item)

    def _readings(
        self, plug: PlugConfig, events: list[Event], retained: bool
    ) -> list[ReadingValues]:
        now = datetime.now(UTC)
        readings = []
        for event in events:
            if isinstance(event, Sample):
                port_id = plug.channels.get(event.channel)
                if port_id is None or retained:  # a retained sample is old news
                    self._stats.count("ignored")
                    continue
                at = self._clocks.stamp(plug.name, event.at, now)
                readings.append(
                    ReadingValues(port_id, event.voltage, event.current, event.power, at)
                )
            elif isinstance(event, RelayState):
                self._stats.heard(plug.name, relay=(event.channel, event.on))
                for request in self.switches.relay(plug.name, event.channel, event.on):
                    log.info("%s: %s confirmed %s", self.name, plug.name, request.label)
            elif isinstance(event, Availability):
                self._flush()  # the readings before it are the plug's, while it was online
                was_online = self._stats.plug(plug.name).online
                self._stats.heard(plug.name, online=event.online)
                if was_online is not False and not event.online:
                    self._went_away(plug)
        return readings

    def _went_away(self, plug: PlugConfig) -> None:
        """The plug's last will: its ports are not judged until it is back."""
        log.warning("%s: %s is offline", self.name, plug.name)
        for port_id in plug.channels.values():
            self._writer.command(PortCommand(port_id, absent=True))

    # -- to and from the writer -----------------------------------------------------------------
    def _submit(self, submission: Submission) -> None:
        if not self._writer.submit(submission):
            self._stats.count("retried", len(submission.readings))
            self._throttle.warning("busy", "%s: the writer is busy; retrying", self.name)
            self._retry.append(submission)

    def deliver(self, results: list[tuple[object, Outcome]]) -> None:
        """ReplySink (writer thread): acknowledge committed messages; retry the unavailable."""
        finished: list[AckEntry] = []
        stored = 0
        for tag, outcome in results:
            assert isinstance(tag, Bundle) and tag.submission is not None
            if outcome.status == CREATED:
                stored += len(outcome.readings)
                self._remember(part.key for part in tag.parts)
                finished.extend(part.entry for part in tag.parts)
            elif is_transient(outcome.status):  # 503, 429
                self._stats.count("retried", len(tag.submission.readings))
                self._retry.append(tag.submission)
            elif len(tag.parts) > 1:  # one message's port was refused: each message alone
                for part in tag.parts:
                    self._submit(submission(self, tag.submission.device_id or "", [part]))
            else:
                self._stats.count("rejected", 1)
                self._throttle.warning(
                    f"rejected-{outcome.status}",
                    "%s: readings refused (%d): %s",
                    self.name,
                    outcome.status,
                    outcome.message,
                )
                finished.extend(part.entry for part in tag.parts)
        self._stats.count("readings", stored)
        self._acks.done_many(finished)

    def _send_acks(self, mids: list[int]) -> None:
        client = self._client
        if client is not None:
            client.ack_many(mids)

    def _remember(self, keys: Iterable[MessageKey]) -> None:
        committed = self._committed
        with self._committed_lock:
            committed.update(dict.fromkeys(keys))
            while len(committed) > REMEMBERED:
                committed.popitem(last=False)

    def _was_committed(self, key: MessageKey) -> bool:
        with self._committed_lock:
            return key in self._committed

    def _on_batch(self, batch: CommittedBatch) -> None:
        """Writer listener: a port this source feeds was turned off or on: switch its plug."""
        for change in batch.status_changes:
            if change.port_id in self._router.by_port and change.status in (PORT_ON, PORT_OFF):
                self.switch(change.port_id, change.status == PORT_ON)

    # -- housekeeping thread ----------------------------------------------------------------------
    def _tick(self) -> None:
        while not self._stop.wait(TICK_S):
            for request in self.switches.expire(time.monotonic()):
                log.warning("%s: %s did not confirm: %s", self.name, request.plug, request.label)
            if self._retry and not self._stop.wait(RETRY_AFTER_S - TICK_S):
                for _ in range(len(self._retry)):
                    self._submit(self._retry.popleft())
