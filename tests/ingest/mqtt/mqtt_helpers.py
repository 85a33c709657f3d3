"""Helpers of the MQTT tests: waiting for a condition, reading what the database stored."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import text

from phantom_desktop.app import Services


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """Poll `predicate` until it is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(0.02)


def stored(services: Services, port_id: str | None = None) -> list[tuple[str, float, str]]:
    """(port id, power, status of the port now) of every stored reading, oldest first."""
    query = "SELECT r.port_id, r.power, r.source FROM power_readings r"
    with services.engine.connect() as conn:
        rows = conn.execute(text(f"{query} ORDER BY r.id")).all()
    return [(p, w, s) for p, w, s in rows if port_id is None or p == port_id]


def port_status(services: Services, port_id: str) -> str:
    with services.engine.connect() as conn:
        return conn.execute(text("SELECT status FROM ports WHERE id = :p"), {"p": port_id}).scalar()
