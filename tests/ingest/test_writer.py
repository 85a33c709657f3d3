"""The writer on SQLite and MySQL: auth, ownership, detection, group commit, ack after commit."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from phantom_desktop.core.credentials import hash_token
from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import Outcome, PortCommand, Submission
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store import repository
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.lookups import TTL_S
from phantom_desktop.store.models import (
    DeviceToken,
    Notification,
    PhantomEvent,
    Port,
    PowerReading,
    User,
)


class RecordingSink:
    """Collects outcomes as the HTTP server's sink would, and lets a test wait for them."""

    def __init__(self) -> None:
        self.outcomes: dict[object, Outcome] = {}
        self._cond = threading.Condition()

    def deliver(self, results):
        with self._cond:
            self.outcomes.update(results)
            self._cond.notify_all()

    def wait(self, count: int, timeout: float = 10.0) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.outcomes) >= count, timeout)


@pytest.fixture
def store(db_url):
    engine = open_store(db_url)
    sessions = session_factory(engine)
    with sessions.begin() as s:
        user = repository.ensure_local_user(s)
        device = repository.create_device(s, user.id, "plug strip")
        token, _ = repository.create_token(s, user.id, device.id)
        tv = repository.create_port(s, user.id, "TV", device.id, 5.0, 0.0, True)
        fridge = repository.create_port(s, user.id, "Fridge", device.id, 5.0, 0.0, False)
        other = User(name="neighbour")
        s.add(other)
        s.flush()
        foreign = repository.create_port(s, other.id, "Their TV", None, 5.0, 0.0, True)
        ids = {"user": user.id, "tv": tv.id, "fridge": fridge.id, "foreign": foreign.id}
    writer = Writer(engine)
    writer.start()
    yield engine, sessions, writer, hash_token(token), ids
    writer.stop()
    engine.dispose()


def reading(port_id: str, power: float, seconds: float = 0.0) -> ReadingValues:
    ts = datetime.now(UTC) - timedelta(minutes=10) + timedelta(seconds=seconds)
    return ReadingValues(port_id, 230.0, power / 230.0, power, ts)


def revoke_the_token(sessions) -> None:
    """Revoke the device's token through another connection, as the window or CLI does."""
    with sessions.begin() as s:
        s.scalars(select(DeviceToken)).one().revoked_at = datetime.now(UTC)


def submit(writer, sink, tag, token_hash, *values) -> None:
    assert writer.submit(Submission(list(values), sink, tag, token_hash=token_hash))


def test_reading_is_acknowledged_after_it_is_stored(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    submit(writer, sink, "a", token_hash, reading(ids["tv"], 103.73))
    sink.wait(1)
    outcome = sink.outcomes["a"]
    assert outcome.status == 201
    (stored,) = outcome.readings
    assert (stored.phantom, stored.port_status) == (False, "active")
    with sessions() as s:
        row = s.get(PowerReading, stored.id)
        assert (row.port_id, row.power, row.source) == (ids["tv"], 103.73, "http")
        assert row.timestamp == stored.timestamp


def test_unknown_token_foreign_and_missing_ports_are_refused_and_not_stored(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    submit(writer, sink, "bad-token", hash_token("nope"), reading(ids["tv"], 50))
    submit(writer, sink, "foreign", token_hash, reading(ids["foreign"], 50))
    submit(writer, sink, "missing", token_hash, reading("no-such-port", 50))
    sink.wait(3)
    assert sink.outcomes["bad-token"].status == 401
    assert sink.outcomes["foreign"].status == 403
    assert sink.outcomes["missing"].status == 404
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PowerReading)) == 0


def test_revoked_token_is_refused(store):
    _engine, sessions, writer, token_hash, ids = store
    revoke_the_token(sessions)
    sink = RecordingSink()
    submit(writer, sink, "x", token_hash, reading(ids["tv"], 50))
    sink.wait(1)
    assert sink.outcomes["x"].status == 401


def test_phantom_cuts_port_records_event_and_notifies(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    submit(writer, sink, 1, token_hash, reading(ids["tv"], 103.0, 0))
    submit(writer, sink, 2, token_hash, reading(ids["tv"], 2.3, 2))
    submit(writer, sink, 3, token_hash, reading(ids["tv"], 0.0, 4))
    sink.wait(3)
    assert [sink.outcomes[i].readings[0].port_status for i in (1, 2, 3)] == [
        "active",
        "off",
        "off",
    ]
    assert [sink.outcomes[i].readings[0].phantom for i in (1, 2, 3)] == [False, True, False]
    with sessions() as s:
        assert s.get(Port, ids["tv"]).status == "off"
        event = s.scalars(select(PhantomEvent)).one()
        assert (event.action, event.power_w) == ("auto_cut", 2.3)
        assert event.ended_at is not None
        note = s.scalars(select(Notification)).one()
        assert note.user_id == ids["user"] and not note.is_read
        assert "TV" in note.message and "turned off" in note.message


def test_auto_cut_off_port_is_reported_once_and_stays_active(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    for i in range(10):
        submit(writer, sink, i, token_hash, reading(ids["fridge"], 1.5, i * 2))
    sink.wait(10)
    assert all(sink.outcomes[i].readings[0].phantom for i in range(10))
    assert {sink.outcomes[i].readings[0].port_status for i in range(10)} == {"active"}
    with sessions() as s:
        assert s.get(Port, ids["fridge"]).status == "active"
        event = s.scalars(select(PhantomEvent)).one()
        assert event.action == "notified" and event.ended_at is None
        assert s.scalar(select(func.count()).select_from(Notification)) == 1


def test_turning_a_port_back_on_goes_through_the_writer(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    submit(writer, sink, 1, token_hash, reading(ids["tv"], 1.0))
    sink.wait(1)
    assert writer.command(PortCommand(ids["tv"], status="active")).done.result(10) == "active"
    submit(writer, sink, 2, token_hash, reading(ids["tv"], 80.0, 5))
    sink.wait(2)
    assert sink.outcomes[2].readings[0].port_status == "active"
    with sessions() as s:
        assert s.get(Port, ids["tv"]).status == "active"


def test_batch_submission_is_all_or_nothing(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    submit(writer, sink, "ok", token_hash, reading(ids["tv"], 60), reading(ids["fridge"], 90))
    submit(writer, sink, "bad", token_hash, reading(ids["tv"], 60), reading("nope", 90))
    sink.wait(2)
    assert sink.outcomes["ok"].status == 201 and len(sink.outcomes["ok"].readings) == 2
    assert sink.outcomes["bad"].status == 404
    assert "readings[1]" in sink.outcomes["bad"].message
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PowerReading)) == 2


def test_stop_commits_everything_accepted_and_refuses_more(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    for i in range(500):
        submit(writer, sink, i, token_hash, reading(ids["fridge"], 60 + i % 7, i))
    writer.stop()
    assert len(sink.outcomes) == 500
    assert all(o.status == 201 for o in sink.outcomes.values())
    assert not writer.submit(Submission([reading(ids["tv"], 1)], sink, "late", token_hash))
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PowerReading)) == 500
        stored_ids = {o.readings[0].id for o in sink.outcomes.values()}
        assert stored_ids == set(s.scalars(select(PowerReading.id)))


def test_store_failure_answers_unavailable_then_recovers(store):
    """A failing database gets 503 (nothing acknowledged); the writer carries on afterwards."""
    engine, sessions, writer, token_hash, ids = store
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE power_readings RENAME TO readings_away"))
    sink = RecordingSink()
    submit(writer, sink, "while-broken", token_hash, reading(ids["tv"], 50))
    sink.wait(1)
    assert sink.outcomes["while-broken"].status == 503
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE readings_away RENAME TO power_readings"))
    submit(writer, sink, "after", token_hash, reading(ids["tv"], 50, 1))
    sink.wait(2)
    assert sink.outcomes["after"].status == 201
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PowerReading)) == 1


def test_token_revoked_by_another_connection_is_refused_on_the_next_batches(store):
    """The writer caches credentials; a revocation elsewhere still takes effect promptly."""
    engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    submit(writer, sink, "before", token_hash, reading(ids["tv"], 80))
    sink.wait(1)
    assert sink.outcomes["before"].status == 201
    revoke_the_token(sessions)
    if engine.dialect.name != "sqlite":  # SQLite notices at once (data_version); MySQL by TTL
        time.sleep(TTL_S + 0.1)
    submit(writer, sink, "after", token_hash, reading(ids["tv"], 80, 1))
    sink.wait(2)
    assert sink.outcomes["after"].status == 401


def test_invalidate_lookups_makes_a_revocation_immediate(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    submit(writer, sink, "before", token_hash, reading(ids["tv"], 80))
    sink.wait(1)
    revoke_the_token(sessions)
    writer.invalidate_lookups()
    submit(writer, sink, "after", token_hash, reading(ids["tv"], 80, 1))
    sink.wait(2)
    assert sink.outcomes["after"].status == 401


def test_threshold_edited_elsewhere_is_used_by_detection(store):
    _engine, sessions, writer, token_hash, ids = store
    sink = RecordingSink()
    submit(writer, sink, 1, token_hash, reading(ids["fridge"], 8.0, 0))
    sink.wait(1)
    assert not sink.outcomes[1].readings[0].phantom  # 8 W is above the 5 W threshold
    with sessions.begin() as s:
        s.get(Port, ids["fridge"]).threshold_w = 10.0
    assert writer.command(PortCommand(ids["fridge"], rules_changed=True)).done.result(10)
    submit(writer, sink, 2, token_hash, reading(ids["fridge"], 8.0, 2))
    sink.wait(2)
    assert sink.outcomes[2].readings[0].phantom


def test_cut_of_a_port_without_relay_tells_the_user_to_act(store):
    _engine, sessions, writer, token_hash, ids = store
    writer.episodes.ports_without_relay = frozenset({ids["tv"]})
    sink = RecordingSink()
    submit(writer, sink, 1, token_hash, reading(ids["tv"], 1.0))
    sink.wait(1)
    with sessions() as s:
        message = s.scalars(select(Notification.message)).one()
    assert "no relay" in message and "by hand" in message
