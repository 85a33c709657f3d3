"""Open phantom events: at most one per port, none left open for a port that is off, and
their energy counted exactly across a restart, a rolled-back batch and an upgrade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pymysql
import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import OperationalError

from phantom_desktop.core.credentials import hash_token
from phantom_desktop.core.enums import EventAction, PortStatus
from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store import repository
from phantom_desktop.store.database import (
    session_factory,
    upgrade_schema,
)
from phantom_desktop.store.models import PhantomEvent, Port, PowerReading
from tests.ingest import test_writer
from tests.ingest.test_writer import RecordingSink, reading, submit
from tests.store.store_helpers import engine_at

MIDNIGHT = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.fixture
def store(db_url):
    """test_writer's database with a device, its token and ports, and a running writer."""
    yield from test_writer.store.__wrapped__(db_url)


@pytest.fixture
def stopped(db_url):
    """test_writer's database, its writer stopped (as the app is while the CLI changes things)."""
    fixture = test_writer.store.__wrapped__(db_url)
    engine, sessions, writer, token_hash, ids = next(fixture)
    writer.stop()
    yield engine, sessions, token_hash, ids
    next(fixture, None)


def open_event(sessions, port_id: str, minutes_ago: float) -> int:
    start = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    with sessions.begin() as s:
        event = PhantomEvent(
            port_id=port_id,
            started_at=start,
            detected_at=start,
            power_w=3.0,
            wasted_wh=0.0,
            action=EventAction.NOTIFIED,
        )
        s.add(event)
        s.flush()
        return event.id


def ended(sessions) -> dict[int, datetime | None]:
    with sessions() as s:
        return dict(s.execute(select(PhantomEvent.id, PhantomEvent.ended_at)).all())


def run_writer(engine, token_hash, *values) -> None:
    writer = Writer(engine)
    writer.start()
    try:
        sink = RecordingSink()
        for n, value in enumerate(values):
            submit(writer, sink, n, token_hash, value)
        sink.wait(len(values))
    finally:
        writer.stop()


def test_an_older_open_event_is_closed_and_the_newer_resumed(stopped):
    engine, sessions, token_hash, ids = stopped
    older = open_event(sessions, ids["fridge"], 30)
    newer = open_event(sessions, ids["fridge"], 20)
    run_writer(engine, token_hash, reading(ids["fridge"], 3.0, 0))  # still in standby
    state = ended(sessions)
    assert state[older] is not None and state[newer] is None


def test_an_event_of_a_port_turned_off_while_stopped_is_closed_on_start(stopped):
    engine, sessions, token_hash, ids = stopped
    event = open_event(sessions, ids["tv"], 20)
    with sessions.begin() as s:
        s.execute(update(Port).where(Port.id == ids["tv"]).values(status=PortStatus.OFF))
    run_writer(engine, token_hash, reading(ids["tv"], 0.0, 0))
    assert ended(sessions)[event] is not None


# A set-top box draws 10 W in standby from 00:00 to 08:00, a reading a minute, then is unplugged
# (0 W at 08:00). Every minute counts: 10 W x 8 h = 80 Wh, however the night was interrupted.
FULL_NIGHT_WH = 10.0 * 8


def box_port(sessions) -> str:
    """A report-only port (no cut) with a 15 W threshold and a 60 s minimum."""
    with sessions.begin() as s:
        user = repository.ensure_local_user(s)
        return repository.create_port(s, user.id, "Set-top box", None, 15.0, 60.0, False).id


def night(port_id: str, first_minute: int, last_minute: int) -> list[ReadingValues]:
    """The box's readings from `first_minute` to `last_minute` after midnight (0 W at 08:00)."""
    return [
        ReadingValues(
            port_id, 230.0, 0.0, 0.0 if m == 480 else 10.0, MIDNIGHT + timedelta(minutes=m)
        )
        for m in range(first_minute, last_minute + 1)
    ]


def the_event(sessions) -> PhantomEvent:
    with sessions() as s:
        return s.scalars(select(PhantomEvent)).one()


def test_a_restart_at_0755_still_records_the_whole_nights_standby(stopped):
    engine, sessions, token_hash, _ids = stopped
    box = box_port(sessions)
    run_writer(engine, token_hash, *night(box, 0, 474))  # up to 07:54
    so_far = the_event(sessions)  # open, its energy so far saved with the readings
    assert so_far.ended_at is None and so_far.wasted_wh == pytest.approx(10.0 * 474 / 60)
    run_writer(engine, token_hash, *night(box, 475, 480))  # the app restarted at 07:55
    event = the_event(sessions)
    assert (event.started_at, event.detected_at) == (MIDNIGHT, MIDNIGHT + timedelta(minutes=1))
    assert event.ended_at == MIDNIGHT + timedelta(hours=8)
    assert event.wasted_wh == pytest.approx(FULL_NIGHT_WH)
    assert event.power_w == pytest.approx(10.0)


def test_a_restart_between_two_saves_counts_the_readings_stored_since_the_last(stopped):
    engine, sessions, token_hash, _ids = stopped
    box = box_port(sessions)
    writer = Writer(engine)
    writer.start()
    try:
        sink = RecordingSink()
        for n, value in enumerate(night(box, 0, 474)):  # up to 07:54, saved with its batch
            submit(writer, sink, n, token_hash, value)
        sink.wait(475)
        for n, s in enumerate(range(10, 60, 10), start=475):  # 12 W from 07:54:10 to 07:54:50
            at = MIDNIGHT + timedelta(minutes=474, seconds=s)
            submit(writer, sink, n, token_hash, ReadingValues(box, 230.0, 0.0, 12.0, at))
            sink.wait(n + 1)
    finally:
        writer.stop()
    # Progress is saved at most once a minute: the last 50 s are only in the stored readings.
    assert the_event(sessions).wasted_wh == pytest.approx(10.0 * 474 / 60)
    run_writer(engine, token_hash, *night(box, 475, 480))  # the app restarted at 07:55
    event = the_event(sessions)
    assert event.ended_at == MIDNIGHT + timedelta(hours=8)
    assert event.wasted_wh == pytest.approx(FULL_NIGHT_WH + 2.0 * 50 / 3600)  # the 12 W bit


def test_a_rolled_back_batch_at_0755_still_records_the_whole_nights_standby(store, monkeypatch):
    _engine, sessions, writer, token_hash, _ids = store
    box = box_port(sessions)
    sink = RecordingSink()
    submit(writer, sink, "until 07:54", token_hash, *night(box, 0, 474))
    sink.wait(1)
    real_process = writer._process
    failed = []

    def fails_once_at_0755(conn, items, batch, one_by_one=False):
        real_process(conn, items, batch, one_by_one)  # detection has moved: it must be undone
        if not failed:
            failed.append(True)
            lost = pymysql.err.OperationalError(2013, "Lost connection to server during query")
            raise OperationalError("COMMIT", {}, lost)

    monkeypatch.setattr(writer, "_process", fails_once_at_0755)
    submit(writer, sink, "from 07:55", token_hash, *night(box, 475, 480))
    sink.wait(2)
    assert failed and sink.outcomes["from 07:55"].status == 201
    event = the_event(sessions)
    assert event.ended_at == MIDNIGHT + timedelta(hours=8)
    assert event.wasted_wh == pytest.approx(FULL_NIGHT_WH)


def test_an_event_left_open_before_the_upgrade_is_counted_from_its_readings(db_url):
    """An earlier version saved no progress: after the upgrade the writer counts the episode
    again from the stored readings, so the event still ends with the whole night."""
    engine = engine_at(db_url, "0005_event_progress-1")  # the revision before the progress
    sessions = session_factory(engine)
    with sessions.begin() as s:
        user = repository.ensure_local_user(s)
        device = repository.create_device(s, user.id, "plug strip")
        token, _ = repository.create_token(s, user.id, device.id)
    box = box_port(sessions)
    with engine.begin() as conn:  # what the earlier version's writer stored until 07:54
        conn.execute(
            insert(PowerReading),
            [
                {
                    "port_id": r.port_id,
                    "timestamp": r.timestamp,
                    "voltage": r.voltage,
                    "current": r.current,
                    "power": r.power,
                    "source": "http",
                }
                for r in night(box, 0, 474)
            ],
        )
        conn.execute(
            insert(PhantomEvent).values(
                port_id=box,
                started_at=MIDNIGHT,
                detected_at=MIDNIGHT + timedelta(minutes=1),
                power_w=10.0,
                wasted_wh=0.0,
                action=EventAction.NOTIFIED,
            )
        )
    upgrade_schema(engine)
    try:
        run_writer(engine, hash_token(token), *night(box, 475, 480))
        event = the_event(sessions)
        assert event.ended_at == MIDNIGHT + timedelta(hours=8)
        assert event.wasted_wh == pytest.approx(FULL_NIGHT_WH)
    finally:
        engine.dispose()
