"""Background upkeep: a big upgrade's backfill finishes after start, then retention prunes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from phantom_desktop.store import rollup_backfill
from phantom_desktop.store.database import (
    session_factory,
    upgrade_schema,
)
from phantom_desktop.store.maintenance import Maintenance
from phantom_desktop.store.models import PowerReading
from tests.store.rollup_helpers import make_port, rollups, rows
from tests.store.store_helpers import engine_at

OLD = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)


def test_the_backfill_runs_in_the_background_and_old_readings_are_pruned(db_url, monkeypatch):
    monkeypatch.setattr(rollup_backfill, "INLINE_LIMIT", 0)  # as if the database were big
    engine = engine_at(db_url, "0004_rollups-1")  # the revision before the rollups
    port = make_port(session_factory(engine))
    with engine.begin() as conn:
        conn.execute(insert(PowerReading), rows(port, [100.0] * 60 + [2.0] * 31, start=OLD))
    upgrade_schema(engine)
    assert rollups(engine, port) == []  # left for the background
    keeper = Maintenance(engine, retention_days=5)
    keeper.start()
    try:
        deadline = time.monotonic() + 20
        while keeper.pruned < 91 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        keeper.stop()
    assert sum(h[5] for h in rollups(engine, port, hourly=True)) == pytest.approx(101.0)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(PowerReading)) == 0
    engine.dispose()
