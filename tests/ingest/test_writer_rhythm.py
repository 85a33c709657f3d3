"""The writer learns each port's rhythm from the store when it starts, and judges by it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import CommittedBatch, Outcome, Submission
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store import port_rhythm, repository, summaries, window_queries
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.models import Notification, PhantomEvent, Port

STEP_S = 20.0
START = datetime.now(UTC) - timedelta(days=2)


class Sink:
    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self.done = threading.Event()

    def deliver(self, results) -> None:
        self.outcomes.extend(outcome for _tag, outcome in results)
        self.done.set()


def replay(engine, device_id: str, port_id: str, segments, start: datetime, live=None) -> datetime:
    """Readings of (minutes, watts) segments from `start` through a writer of their own;
    its committed batches go to `live` (a list) if given."""
    values, t = [], start
    for minutes, watts in segments:
        end = t + timedelta(minutes=minutes)
        while t < end:
            values.append(ReadingValues(port_id, 230.0, watts / 230.0, watts, t))
            t += timedelta(seconds=STEP_S)
    writer = Writer(engine)
    if live is not None:
        writer.add_listener(live.append)
    writer.start()
    try:
        sink = Sink()
        assert writer.submit(Submission(values, sink, device_id=device_id, source="test"))
        assert sink.done.wait(30)
        assert sink.outcomes[0].status == 201
    finally:
        writer.stop()
    return t


FRIDGE_DAY = [(12, 95.0), (30, 1.5), (13, 97.0), (29, 1.4)] * 17  # ~a day of steady cycles


@pytest.fixture
def fridge_port(db_url):
    engine = open_store(db_url)
    with session_factory(engine).begin() as s:
        user = repository.ensure_local_user(s)
        device = repository.create_device(s, user.id, "kitchen plug")
        fridge = repository.create_port(s, user.id, "Fridge", device.id, 5.0, 60.0, False)
        ids = (device.id, fridge.id)
    yield engine, *ids
    engine.dispose()


def events(engine, port_id: str, since: datetime) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(PhantomEvent.action, Notification.message)
                .join(Notification, Notification.event_id == PhantomEvent.id)
                .where(PhantomEvent.port_id == port_id, PhantomEvent.detected_at >= since)
            )
        ]


def test_a_restarted_writer_remembers_the_fridge_rhythm_and_never_cuts_it(fridge_port):
    engine, device_id, port_id = fridge_port
    t = replay(engine, device_id, port_id, FRIDGE_DAY, START)  # the past, auto-cut off
    with engine.begin() as conn:
        conn.execute(Port.__table__.update().values(auto_cut=True))
    live: list[CommittedBatch] = []
    later = replay(engine, device_id, port_id, FRIDGE_DAY[:8], t, live)  # a fresh writer
    assert events(engine, port_id, t) == []
    with engine.connect() as conn:
        status, seen, since = conn.execute(
            select(Port.status, Port.rhythm_seen, Port.rhythm_since).where(Port.id == port_id)
        ).one()
    assert status == "active"
    assert seen is not None and seen.startswith("cycling, ~4") and seen.endswith("min rhythm")
    assert START < since < t  # recognised in the stored past, before this writer started
    [rhythm] = [r for batch in live for r in batch.rhythms]
    assert (rhythm.port_id, rhythm.seen, rhythm.since) == (port_id, seen, since)
    notes = [n for batch in live for n in batch.notes]
    assert len(notes) == 4  # once per rest: the four rests of these eight phases
    assert notes[0].text.startswith("low for 60 s, but this port has cycled every ~4")
    # Unplugged from the fridge, a TV left on standby: cut after the rhythm's hold.
    replay(engine, device_id, port_id, [(12, 95.0), (120, 1.6)], later)
    [(action, message)] = events(engine, port_id, later)
    assert action == "auto_cut"
    assert "longer than any rest of its ~" in message and "→ cut" in message


def test_a_fridge_plugged_into_a_new_port_with_auto_cut_is_never_cut_while_learned(fridge_port):
    engine, device_id, port_id = fridge_port
    with engine.begin() as conn:
        conn.execute(Port.__table__.update().values(auto_cut=True))
    live: list[CommittedBatch] = []
    replay(engine, device_id, port_id, FRIDGE_DAY[:24], START, live)  # its first 12 cycles
    assert events(engine, port_id, START) == []
    with engine.connect() as conn:
        status, seen = conn.execute(
            select(Port.status, Port.rhythm_seen).where(Port.id == port_id)
        ).one()
    assert status == "active"
    assert seen is not None and seen.startswith("cycling, ~4")
    notes = [n.text for batch in live for n in batch.notes]
    assert "right after a run, but this port is still being learned" in notes[0]
    assert "this port has cycled every ~4" in notes[-1]


def test_a_week_is_learned_from_the_rollups_when_few_raw_readings_are_read(
    fridge_port, monkeypatch
):
    engine, device_id, port_id = fridge_port
    t = replay(engine, device_id, port_id, FRIDGE_DAY, START)
    monkeypatch.setattr(port_rhythm, "RAW_ROWS", 30)  # ten minutes raw, the day from rollups
    with engine.connect() as conn:
        past = port_rhythm.learning_readings(conn, port_id, 5.0)
    assert 30 < len(past) < 4000  # a day of minutes (one or two readings each) and 30 raw
    with engine.begin() as conn:
        conn.execute(Port.__table__.update().values(auto_cut=True))
    replay(engine, device_id, port_id, FRIDGE_DAY[:8], t)
    assert events(engine, port_id, t) == []


def test_suggest_threshold_tells_the_fridge_about_its_rhythm_and_floor(fridge_port):
    engine, device_id, port_id = fridge_port
    replay(engine, device_id, port_id, FRIDGE_DAY, START)
    with session_factory(engine).begin() as s:
        user_id = repository.ensure_local_user(s).id
        explanation = summaries.suggest_port_threshold(s, user_id, port_id).explanation
        [shown] = window_queries.load_ports(s, user_id)
    assert "It cycles (~4" in explanation and "its low phases are rests between runs" in explanation
    assert (
        "Always-on floor over 48 h (low percentile of the levels it held each minute): 1.4 W."
        in explanation
    )
    assert shown.always_on_w == pytest.approx(1.4, abs=0.05)
