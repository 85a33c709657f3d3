"""At most one open phantom event per port, and none left open for a port that is off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from phantom_desktop.core.enums import EventAction, PortStatus
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store.models import PhantomEvent, Port
from tests.ingest import test_writer
from tests.ingest.test_writer import RecordingSink, reading, submit


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
