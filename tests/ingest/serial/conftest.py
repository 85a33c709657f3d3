"""Fixtures for the serial tests: a real writer on a throw-away SQLite store, emulated meters on
pseudo-terminals, sources with short backoff, and a check that no serial thread outlives a test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from phantom_desktop.ingest.serial import SerialSource, SerialSourceConfig
from tests.ingest.support import device_with_ports, wait_until

SERIAL_THREADS = ("serial-source", "serial-meter")


@pytest.fixture(autouse=True)
def _no_serial_threads_left() -> Iterator[None]:
    yield
    deadline = time.monotonic() + 2
    while True:
        left = [t.name for t in threading.enumerate() if t.name.startswith(SERIAL_THREADS)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert not left, f"threads still running after the test: {left}"


@pytest.fixture
def make_device(services) -> Callable[..., tuple[str, list[str]]]:
    """Create a device with `n` ports; returns (device id, port ids)."""
    counter = iter(range(1000))

    def make(
        n: int = 2, threshold_w: float = 0.01, min_duration_s: float = 0.0, auto_cut: bool = False
    ) -> tuple[str, list[str]]:
        number = next(counter)
        ports = [f"port {number}.{i}" for i in range(n)]
        name = f"meter {number}"
        return device_with_ports(services, name, ports, threshold_w, min_duration_s, auto_cut)

    return make


@pytest.fixture
def source(services) -> Iterator[Callable[..., SerialSource]]:
    """Start sources from config dicts, with fast backoff; all are stopped at teardown."""
    started: list[SerialSource] = []

    def start(config: dict, **kwargs) -> SerialSource:
        config = {"name": f"source {len(started)}", "poll_interval_s": 0.05, **config}
        kwargs.setdefault("backoff_min_s", 0.05)
        kwargs.setdefault("backoff_max_s", 0.2)
        src = SerialSource(SerialSourceConfig.from_dict(config), services.writer, **kwargs)
        src.start()
        started.append(src)
        return src

    yield start
    for src in started:
        src.stop()


@pytest.fixture
def wait() -> Callable[..., None]:
    """`wait(predicate, timeout=5.0, what="")`: poll until true, fail after the timeout."""
    return wait_until
