"""Fixtures of the MQTT source tests: devices with ports, sources with fast reconnects, and a
check that no MQTT thread outlives a test (the broker fixtures are in tests/mqtt_fixtures.py)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from phantom_desktop.ingest.mqtt.config import BrokerConfig, PlugConfig
from phantom_desktop.ingest.mqtt.source import MqttSource
from tests.ingest.support import device_with_ports, wait_until


@pytest.fixture
def make_device(services) -> Callable[..., tuple[str, list[str]]]:
    """Create a device with `n` ports; returns (device id, port ids)."""

    def make(
        n: int = 1, threshold_w: float = 5.0, min_duration_s: float = 0.0, auto_cut: bool = True
    ) -> tuple[str, list[str]]:
        ports = [f"port {i}" for i in range(n)]
        name = f"plug {uuid.uuid4().hex[:6]}"
        return device_with_ports(services, name, ports, threshold_w, min_duration_s, auto_cut)

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
