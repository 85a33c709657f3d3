"""MQTT fixtures for every test package: the shared Mosquitto (or a private one a test may
restart), a topic prefix per test, and emulated plugs.

Without a broker the tests skip with the reason; with PHANTOM_REQUIRE_MQTT=1 (CI) they fail.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.ingest.support import wait_until

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
