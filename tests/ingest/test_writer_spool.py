"""Database outages with a spool: readings are acknowledged from disk and stored once, in order."""

from __future__ import annotations

import time

import pymysql
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from phantom_desktop.ingest import spooling
from phantom_desktop.ingest.spool import Spool, SpoolEntry
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store.models import PhantomEvent, PowerReading
from tests.ingest import test_writer
from tests.ingest.test_writer import RecordingSink, reading, submit


@pytest.fixture
def spooled(db_url, tmp_path, monkeypatch):
    """test_writer's store, with a writer that has a spool, and a switch for an outage."""
    monkeypatch.setattr(spooling, "OUTAGE_AFTER_S", 0.2)
    monkeypatch.setattr(spooling, "PROBE_INTERVAL_S", 0.05)
    fixture = test_writer.store.__wrapped__(db_url)
    engine, sessions, plain_writer, token_hash, ids = next(fixture)
    plain_writer.stop()
    writer = Writer(engine, spool=Spool(tmp_path / "spool"))
    outage = {"on": False}
    real_attempt = writer._attempt

    def attempt(items, one_by_one):
        if outage["on"]:
            lost = pymysql.err.OperationalError(2003, "Can't connect to MySQL server")
            raise OperationalError("SELECT 1", {}, lost)
        return real_attempt(items, one_by_one)

    monkeypatch.setattr(writer, "_attempt", attempt)
    writer.start()
    yield engine, sessions, writer, token_hash, ids, outage
    writer.stop()
    next(fixture, None)


def stored(engine) -> list[tuple[str, float]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(PowerReading.port_id, PowerReading.power).order_by(PowerReading.id)
        ).all()
    return [(port, power) for port, power in rows]


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_an_outage_is_ridden_out_by_the_spool(spooled):
    engine, _sessions, writer, token_hash, ids, outage = spooled
    sink = RecordingSink()
    submit(writer, sink, "before", token_hash, reading(ids["tv"], 50))  # vouches for the token
    sink.wait(1)
    outage["on"] = True
    for n in range(5):
        submit(writer, sink, n, token_hash, reading(ids["tv"], 60 + n, 1 + n))
    sink.wait(6)
    assert [sink.outcomes[n].status for n in range(5)] == [201] * 5
    assert sink.outcomes[0].readings[0].id == 0  # acknowledged from the spool: no id yet
    assert writer.outage == (True, 5)
    assert len(stored(engine)) == 1
    outage["on"] = False
    submit(writer, sink, "after", token_hash, reading(ids["tv"], 70, 10))
    sink.wait(7)
    assert sink.outcomes["after"].status == 201  # spooled or stored: after the others anyway
    wait_for(lambda: writer.outage == (False, 0))
    assert stored(engine) == [(ids["tv"], p) for p in (50, 60, 61, 62, 63, 64, 70)]


def test_during_an_outage_an_unknown_token_still_gets_503(spooled):
    _engine, _sessions, writer, token_hash, ids, outage = spooled
    sink = RecordingSink()
    submit(writer, sink, "before", token_hash, reading(ids["tv"], 50))
    sink.wait(1)
    outage["on"] = True
    submit(writer, sink, "stranger", "f" * 64, reading(ids["tv"], 50, 1))
    submit(writer, sink, "foreign", token_hash, reading(ids["foreign"], 50, 1))
    sink.wait(3)
    assert sink.outcomes["stranger"].status == 503
    assert sink.outcomes["foreign"].status == 503


def test_the_spool_is_replayed_without_new_traffic_and_detection_runs(spooled):
    engine, _sessions, writer, token_hash, ids, outage = spooled
    sink = RecordingSink()
    submit(writer, sink, "before", token_hash, reading(ids["tv"], 80))
    sink.wait(1)
    outage["on"] = True
    submit(writer, sink, "standby", token_hash, reading(ids["tv"], 2.0, 1))  # below 5 W
    sink.wait(2)
    outage["on"] = False
    wait_for(lambda: writer.outage == (False, 0))
    with engine.connect() as conn:
        events = conn.scalar(select(func.count()).select_from(PhantomEvent))
    assert len(stored(engine)) == 2
    assert events == 1  # detected on replay, as it would have been live


def test_a_replay_interrupted_after_its_commit_stores_nothing_twice(db_url, tmp_path):
    fixture = test_writer.store.__wrapped__(db_url)
    engine, _sessions, writer, token_hash, ids = next(fixture)
    try:
        sink = RecordingSink()
        first = reading(ids["tv"], 50, 1)
        second = reading(ids["tv"], 51, 2)
        submit(writer, sink, "first", token_hash, first)  # stored, as if replayed before a crash
        sink.wait(1)
        writer.stop()
        spool = Spool(tmp_path / "spool")
        spool.append([SpoolEntry((v,), "http", token_hash=token_hash) for v in (first, second)])
        restarted = Writer(engine, spool=spool)
        restarted.start()
        wait_for(lambda: restarted.outage == (False, 0))
        restarted.stop()
        assert stored(engine) == [(ids["tv"], 50), (ids["tv"], 51)]
    finally:
        next(fixture, None)
