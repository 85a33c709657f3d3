"""The writer rides out transient database errors and refuses a failing submission alone."""

from __future__ import annotations

import pymysql
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from phantom_desktop.ingest import admission
from phantom_desktop.ingest import writer as writer_module
from phantom_desktop.store import repository
from tests.ingest import test_writer
from tests.ingest.test_writer import RecordingSink, reading, submit


@pytest.fixture
def store(db_url):
    """test_writer's database with a device, its token and ports, and a running writer."""
    yield from test_writer.store.__wrapped__(db_url)


def test_a_lost_connection_costs_latency_not_a_503(store, monkeypatch):
    _engine, _sessions, writer, token_hash, ids = store
    real_process = writer._process
    failures = {"left": 3}

    def flaky(conn, items, batch, one_by_one=False):
        if failures["left"]:
            failures["left"] -= 1
            lost = pymysql.err.OperationalError(2013, "Lost connection to server during query")
            raise OperationalError("INSERT", {}, lost)
        return real_process(conn, items, batch, one_by_one)

    monkeypatch.setattr(writer, "_process", flaky)
    sink = RecordingSink()
    submit(writer, sink, "a", token_hash, reading(ids["tv"], 50))
    sink.wait(1)
    assert sink.outcomes["a"].status == 201
    assert failures["left"] == 0


def test_a_port_deleted_while_its_device_sends_fails_only_that_submission(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    submit(writer, sink, "warm", token_hash, reading(ids["fridge"], 50))  # caches the ports
    sink.wait(1)
    with sessions.begin() as s:
        repository.delete_port(s, ids["user"], ids["fridge"])
    submit(writer, sink, "deleted", token_hash, reading(ids["fridge"], 50, 1))
    submit(writer, sink, "other", token_hash, reading(ids["tv"], 50, 1))
    sink.wait(3)
    assert sink.outcomes["other"].status == 201
    assert sink.outcomes["deleted"].status == 404


def test_unknown_tokens_cost_no_port_lookup_and_do_not_fail_the_batch(store):
    engine, _sessions, writer, token_hash, ids = store
    bogus_ports = [f"made-up-{n}" for n in range(50)]
    seen: list[object] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[3]))
    sink = RecordingSink()
    for n, port_id in enumerate(bogus_ports):
        submit(writer, sink, n, f"{n:064x}", reading(port_id, 1))
    submit(writer, sink, "legit", token_hash, reading(ids["tv"], 50))
    sink.wait(len(bogus_ports) + 1)
    assert sink.outcomes["legit"].status == 201
    assert {sink.outcomes[n].status for n in range(len(bogus_ports))} == {401}
    assert not any(port_id in repr(params) for params in seen for port_id in bogus_ports)


def test_too_many_unknown_ports_in_one_batch_are_turned_away_alone(store, monkeypatch):
    _engine, _sessions, writer, token_hash, ids = store
    monkeypatch.setattr(admission, "MAX_UNKNOWN_PORTS", 3)
    sink = RecordingSink()
    many = [reading(f"nowhere-{n}", 1) for n in range(5)]
    submit(writer, sink, "many", token_hash, *many)
    submit(writer, sink, "legit", token_hash, reading(ids["tv"], 50))
    sink.wait(2)
    assert sink.outcomes["many"].status == 429
    assert sink.outcomes["legit"].status == 201


def test_backpressure_counts_readings(store, monkeypatch):
    _engine, _sessions, writer, token_hash, ids = store
    monkeypatch.setattr(writer_module, "MAX_QUEUED_READINGS", 0)
    from phantom_desktop.ingest.messages import Submission

    assert not writer.submit(Submission([reading(ids["tv"], 1)], RecordingSink(), "x", token_hash))
    monkeypatch.setattr(writer_module, "MAX_QUEUED_READINGS", 10)
    assert writer.submit(Submission([reading(ids["tv"], 1)], RecordingSink(), "y", token_hash))
