"""Fixtures for window tests with serial meters: a device with ports, emulated meters on ptys,
and sources with a short reconnect backoff. A test module imports the `*_fixture` functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from phantom_desktop.app import Services
from phantom_desktop.ingest.serial import SerialSource, SerialSourceConfig
from phantom_desktop.store.repository import create_device, create_port


@dataclass
class MeterDevice:
    device_id: str
    port_ids: list[str]
    port_names: list[str]


@pytest.fixture(name="meter_device")
def meter_device_fixture(services: Services) -> Callable[..., MeterDevice]:
    """`meter_device("Kitchen", ["Kettle", "Washer"], auto_cut=True, threshold_w=...)`."""

    def make(name: str, ports: list[str], **port_options) -> MeterDevice:
        port_options.setdefault("threshold_w", 1.0)
        port_options.setdefault("min_duration_s", 0.0)
        port_options.setdefault("auto_cut", False)
        with services.sessions.begin() as session:
            device = create_device(session, services.user_id, name)
            created = [
                create_port(session, services.user_id, port, device.id, **port_options)
                for port in ports
            ]
            return MeterDevice(device.id, [p.id for p in created], list(ports))

    return make


@pytest.fixture(name="fast_source")
def fast_source_fixture(services: Services) -> Callable[[dict], SerialSource]:
    """Start a source from a config dict with a short backoff, as one of the app's sources
    (the services fixture stops it)."""

    def start(config: dict) -> SerialSource:
        source = SerialSource(
            SerialSourceConfig.from_dict({"poll_interval_s": 0.05, **config}),
            services.writer,
            backoff_min_s=0.05,
            backoff_max_s=0.2,
        )
        services.sources = [*services.sources, source]
        source.start()
        return source

    return start
