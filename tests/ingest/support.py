"""Helpers shared by the source tests (serial meters, MQTT plugs): polling, devices with ports."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from phantom_desktop.app import Services
from phantom_desktop.store.repository import create_device, create_port


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """Poll `predicate` until it is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(0.01)


def device_with_ports(
    services: Services,
    name: str,
    port_names: Sequence[str],
    threshold_w: float,
    min_duration_s: float,
    auto_cut: bool,
) -> tuple[str, list[str]]:
    """Create a device with one port per name (same rules); returns (device id, port ids)."""
    with services.sessions.begin() as s:
        device = create_device(s, services.user_id, name)
        ports = [
            create_port(s, services.user_id, port, device.id, threshold_w, min_duration_s, auto_cut)
            for port in port_names
        ]
        return device.id, [p.id for p in ports]
