"""MQTT test fixtures: the shared Mosquitto (or a private one the test may restart), a writer on
a throw-away SQLite store, devices with ports, and sources with fast reconnects.

Without a broker the tests skip with the reason; with PHANTOM_REQUIRE_MQTT=1 (CI) they fail.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mqtt_helpers import wait_until

from phantom_desktop.app import Services, open_services
from phantom_desktop.config import AppPaths, Settings
from phantom_desktop.ingest.mqtt.config import BrokerConfig, PlugConfig
from phantom_desktop.ingest.mqtt.source import MqttSource
from phantom_desktop.store.repository import create_device, create_port

DEFAULT_URL = "mqtt://127.0.0.1:1883"


def _unavailable(reason: str) -> None:
    if os.environ.get("PHANTOM_REQUIRE_MQTT") == "1":
        pytest.fail(f"an MQTT broker is required (PHANTOM_REQUIRE_MQTT=1) but {reason}")
    pytest.skip(reason)


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def broker_url() -> str:
    url = os.environ.get("PHANTOM_TEST_MQTT_URL", DEFAULT_URL)
    parts = urlsplit(url)
    if not _reachable(parts.hostname or "127.0.0.1", parts.port or 1883):
        _unavailable(f"no MQTT broker at {url} (start one: mosquitto -d)")
    return url


@dataclass
class PrivateBroker:
    """A Mosquitto of this test alone, with persistence, that the test may restart."""

    directory: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = self.directory / "mosquitto.conf"
        config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {self.directory}/\nmax_queued_messages 0\n"
            f"user {getpass.getuser()}\n"  # as root, Mosquitto would drop to a user who cannot save
            "max_inflight_messages 0\n"
        )
        log = (self.directory / "mosquitto.log").open("ab")
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        wait_until(lambda: _reachable("127.0.0.1", self.port), 10, "mosquitto to listen")

    def stop(self) -> None:
        """A clean stop (SIGTERM): Mosquitto saves its sessions and queued messages."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def private_broker(tmp_path) -> Iterator[PrivateBroker]:
    if shutil.which("mosquitto") is None:
        _unavailable("mosquitto is not installed (apt-get install mosquitto)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    broker = PrivateBroker(tmp_path / "broker", port)
    broker.directory.mkdir()
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def prefix() -> str:
    """A topic prefix of this test alone: other runs share the broker."""
    return f"pt{uuid.uuid4().hex[:10]}"


@pytest.fixture
def services(tmp_path) -> Iterator[Services]:
    paths = AppPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l")
    services = open_services(paths, Settings(), db_url=f"sqlite:///{tmp_path}/t.db")
    yield services
    services.stop()


@pytest.fixture
def make_device(services) -> Callable[..., tuple[str, list[str]]]:
    """Create a device with `n` ports; returns (device id, port ids)."""

    def make(
        n: int = 1, threshold_w: float = 5.0, min_duration_s: float = 0.0, auto_cut: bool = True
    ) -> tuple[str, list[str]]:
        with services.sessions.begin() as s:
            device = create_device(s, services.user_id, f"plug {uuid.uuid4().hex[:6]}")
            ports = [
                create_port(
                    s,
                    services.user_id,
                    f"port {i}",
                    device.id,
                    threshold_w,
                    min_duration_s,
                    auto_cut,
                )
                for i in range(n)
            ]
            return device.id, [p.id for p in ports]

    return make


@pytest.fixture
def mqtt_source(services) -> Iterator[Callable[..., MqttSource]]:
    """Start sources for plugs on a broker; all are stopped at teardown."""
    started: list[MqttSource] = []

    def start(url: str, plugs: list[dict], client_id: str | None = None, **kwargs) -> MqttSource:
        broker = BrokerConfig(url, client_id or f"phantom-test-{uuid.uuid4().hex[:10]}")
        configs = [PlugConfig.from_dict(p) for p in plugs]
        kwargs.setdefault("backoff", (1, 2))
        source = MqttSource(broker, configs, services.writer, **kwargs)
        source.start()
        started.append(source)
        wait_until(lambda: source.status.state == "connected", 10, "the source to connect")
        return source

    yield start
    for source in started:
        source.stop()


@pytest.fixture(autouse=True)
def _no_mqtt_threads_left() -> Iterator[None]:
    yield
    deadline = time.monotonic() + 3
    while True:
        left = [t.name for t in threading.enumerate() if t.name.startswith(("mqtt-", "plug-"))]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not left, f"threads still running after the test: {left}"


@pytest.fixture
def plug(broker_url) -> Iterator[Callable[..., object]]:
    """Start emulated plugs (simulator.mqtt_plug) on the shared broker; stopped at teardown."""
    from simulator.mqtt_plug import EmulatedPlug, PlugSpec

    plugs: list[EmulatedPlug] = []

    def start(kind: str, topic: str, url: str | None = None, **spec) -> EmulatedPlug:
        parts = urlsplit(url or broker_url)
        spec.setdefault("interval_s", 0.05)
        started = EmulatedPlug(PlugSpec(kind, topic, **spec), parts.hostname, parts.port or 1883)
        started.start()
        plugs.append(started)
        return started

    yield start
    for started in plugs:
        if started.client.is_connected():
            started.stop()
        started.clear_retained()
