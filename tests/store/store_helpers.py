"""Helpers for store tests: readings in bulk, a device with a token and ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from phantom_desktop.store import repository
from phantom_desktop.store.models import PowerReading

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def add_readings(session: Session, port_id: str, powers, start=T0, step_s: float = 10.0) -> None:
    """Readings `step_s` apart from `start`, in one insert."""
    session.execute(
        insert(PowerReading),
        [
            {
                "port_id": port_id,
                "timestamp": start + timedelta(seconds=i * step_s),
                "voltage": 230.0,
                "current": p / 230.0,
                "power": p,
                "source": "http",
            }
            for i, p in enumerate(powers)
        ],
    )


def setup_device(session: Session, user_id: str, name: str = "strip", ports=("TV",)):
    """A device with a token and ports; returns (device, token, [ports])."""
    device = repository.create_device(session, user_id, name)
    token, _ = repository.create_token(session, user_id, device.id)
    made = [repository.create_port(session, user_id, p, device.id, 5.0, 0.0) for p in ports]
    return device, token, made
