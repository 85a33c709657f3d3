"""Rollups kept in the readings' transaction, exact across restarts, and backfilled on upgrade."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from phantom_desktop.store import rollup_backfill
from phantom_desktop.store.database import (
    session_factory,
    upgrade_schema,
)
from phantom_desktop.store.models import PowerReading
from phantom_desktop.store.rollups import RollupKeeper, insert_readings_with_rollups
from tests.store.rollup_helpers import T0, make_port, rollups, rows, store
from tests.store.store_helpers import engine_at

TRACE = [100.0] * 60 + [2.0] * 31  # 100 W for an hour, then 2 W for 30 min (a reading a minute)


@pytest.fixture
def engine(sessions):
    return sessions.kw["bind"]


def test_rollups_of_a_known_trace_hold_101_wh_and_1_wh_of_standby(engine, sessions):
    port = make_port(sessions)
    keeper = RollupKeeper()
    batch = rows(port, TRACE)
    for part in (batch[:10], batch[10:61], batch[61:]):
        store(engine, keeper, part)
    hours = rollups(engine, port, hourly=True)
    assert [h[0] for h in hours] == [int(T0.timestamp()), int(T0.timestamp()) + 3600]
    assert sum(h[5] for h in hours) == pytest.approx(101.0)
    assert sum(h[6] for h in hours) == pytest.approx(1.0)
    assert hours[1][1:4] == (31, 2.0, 2.0)
    assert sum(h[7] for h in hours) == pytest.approx(1800.0)
    minutes = rollups(engine, port)
    assert len(minutes) == 91
    assert minutes[0][5] == pytest.approx(100.0 / 60)


def test_a_restart_continues_the_integration_from_the_stored_reading(engine, sessions):
    port = make_port(sessions)
    batch = rows(port, TRACE)
    store(engine, RollupKeeper(), batch[:30])
    store(engine, RollupKeeper(), batch[30:])  # a new process: nothing cached
    assert sum(h[5] for h in rollups(engine, port, hourly=True)) == pytest.approx(101.0)


def test_a_failed_batch_leaves_no_rollups_and_the_next_one_is_exact(engine, sessions):
    port = make_port(sessions)
    keeper = RollupKeeper()
    batch = rows(port, TRACE)
    store(engine, keeper, batch[:30])
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(insert(PowerReading), batch[30:40])
        keeper.apply(conn, batch[30:40], {port: 5.0})
        raise RuntimeError("the commit failed")
    keeper.forget()
    store(engine, keeper, batch[30:])
    assert sum(h[5] for h in rollups(engine, port, hourly=True)) == pytest.approx(101.0)


def test_the_upgrade_rolls_up_readings_stored_before_it(db_url):
    engine = engine_at(db_url, "0004_rollups-1")  # the revision before the rollups
    sessions = session_factory(engine)
    port = make_port(sessions)
    with engine.begin() as conn:
        conn.execute(insert(PowerReading), rows(port, TRACE))
    upgrade_schema(engine)
    hours = rollups(engine, port, hourly=True)
    assert sum(h[5] for h in hours) == pytest.approx(101.0)
    assert sum(h[1] for h in hours) == len(TRACE)
    engine.dispose()


def test_the_background_backfill_in_small_chunks_equals_live_rollups(engine, sessions):
    """Readings stored before the upgrade are backfilled while new ones arrive: the result is
    what live rollups of all of them give."""
    live, old = make_port(sessions, "live"), make_port(sessions, "old")
    powers = [(i * 37) % 11 for i in range(500)]  # standby, off and on, unevenly
    store(engine, None, rows(old, powers, step_s=13)[:300])
    with engine.begin() as conn:
        rollup_backfill.plan(conn)
    store(engine, RollupKeeper(), rows(old, powers, step_s=13)[300:])
    store(engine, RollupKeeper(), rows(live, powers, step_s=13))
    seen = []
    assert rollup_backfill.run(engine, seen.append, chunk=37)
    assert seen[-1].fraction > 0.9
    with engine.connect() as conn:
        assert rollup_backfill.progress(conn) is None
    for hourly in (False, True):
        got, want = rollups(engine, old, hourly), rollups(engine, live, hourly)
        assert [g[:5] for g in got] == [w[:5] for w in want]
        assert [g[5:] for g in got] == [pytest.approx(w[5:]) for w in want]


def test_seeded_readings_are_rolled_up_and_live_ones_continue_from_them(engine, sessions):
    port = make_port(sessions)
    batch = rows(port, TRACE)
    with engine.begin() as conn:
        insert_readings_with_rollups(conn, batch[:50])
    store(engine, RollupKeeper(), batch[50:])
    assert sum(h[5] for h in rollups(engine, port, hourly=True)) == pytest.approx(101.0)
