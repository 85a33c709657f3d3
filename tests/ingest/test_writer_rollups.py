"""The writer keeps rollups in the readings' transaction: acknowledged means rolled up."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from phantom_desktop.core.credentials import hash_token
from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import Submission
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store import repository
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.rollup_models import Rollup1h, Rollup1m

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class Sink:
    def __init__(self) -> None:
        self.count = 0
        self.cond = threading.Condition()

    def deliver(self, results) -> None:
        with self.cond:
            self.count += len(results)
            self.cond.notify_all()

    def wait(self, count: int) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: self.count >= count, 10)


@pytest.fixture
def setup(db_url):
    engine = open_store(db_url)
    with session_factory(engine).begin() as s:
        user = repository.ensure_local_user(s)
        device = repository.create_device(s, user.id, "strip")
        token, _ = repository.create_token(s, user.id, device.id)
        port = repository.create_port(s, user.id, "Fridge", device.id, 5.0, 0.0, False).id
    yield engine, hash_token(token), port
    engine.dispose()


def test_acknowledged_readings_are_rolled_up_exactly_across_a_writer_restart(setup):
    engine, token_hash, port = setup
    powers = [100.0] * 60 + [2.0] * 31
    values = [
        ReadingValues(port, 230.0, p / 230.0, p, T0 + timedelta(minutes=i))
        for i, p in enumerate(powers)
    ]
    sink = Sink()
    for part in (values[:40], values[40:]):  # a restart between the two
        writer = Writer(engine)
        writer.start()
        for value in part:
            assert writer.submit(Submission([value], sink, object(), token_hash=token_hash))
        writer.stop()
    sink.wait(len(values))
    with engine.connect() as conn:
        wh, standby = conn.execute(
            select(func.sum(Rollup1h.wh), func.sum(Rollup1h.standby_wh)).where(
                Rollup1h.port_id == port
            )
        ).one()
        minutes = conn.scalar(select(func.sum(Rollup1m.n)).where(Rollup1m.port_id == port))
    assert wh == pytest.approx(101.0)
    assert standby == pytest.approx(1.0)
    assert minutes == len(values)
