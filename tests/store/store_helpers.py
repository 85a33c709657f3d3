"""Helpers for store tests: readings in bulk, a device with a token and ports, an older schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from phantom_desktop.store import repository
from phantom_desktop.store.database import create_store_engine, migrations_dir
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


def engine_at(db_url: str, revision: str) -> Engine:
    """An engine on the database with its schema upgraded only to `revision` (an older one)."""
    engine = create_store_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    return engine
