"""Open tails: the tables are written once per port-minute, yet every reader sees each reading
at once, exactly, through restarts, late readings, retention and the upgrade."""

from __future__ import annotations

import csv
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from phantom_desktop.core.periods import PeriodBy
from phantom_desktop.core.rollup_math import fold, minute_deltas
from phantom_desktop.core.tariff import Tariff
from phantom_desktop.store import retention
from phantom_desktop.store.database import session_factory, upgrade_schema
from phantom_desktop.store.energy_queries import energy_report
from phantom_desktop.store.export import export_csv
from phantom_desktop.store.history_queries import Resolution, fetch_series
from phantom_desktop.store.models import PowerReading
from phantom_desktop.store.rollup_queries import recent_minutes
from phantom_desktop.store.rollups import RollupKeeper, roll_up_points
from tests.store.rollup_helpers import T0, make_port, rollups, rows, store, table_rows
from tests.store.store_helpers import engine_at

POWERS = [(i * 37) % 11 * 10.0 for i in range(21)]  # 0 to 100 W, standby below 5 W; 10 s apart


@pytest.fixture
def engine(sessions):
    return sessions.kw["bind"]


def points(batch):
    return sorted((r["timestamp"].timestamp(), r["power"]) for r in batch)


def expected(batch, hourly=False):
    """What one integration of all these readings gives, bucket by bucket."""
    deltas, _ = minute_deltas(None, points(batch), 5.0)
    if hourly:
        deltas = fold(deltas)
    return [
        (b, d.n, d.min_w, d.max_w, d.sum_w, d.wh, d.standby_wh, d.standby_s, d.off_s)
        for b, d in sorted(deltas.items())
    ]


def assert_same(got, want):
    assert [g[:2] for g in got] == [w[:2] for w in want]  # buckets and counts
    assert [g[2:] for g in got] == [pytest.approx(w[2:]) for w in want]


def test_each_reading_is_rolled_up_at_once_and_the_tables_are_written_once_a_minute(
    engine, sessions
):
    port = make_port(sessions)
    keeper = RollupKeeper()
    batch = rows(port, POWERS, step_s=10)
    for i, row in enumerate(batch):
        store(engine, keeper, [row])
        assert_same(rollups(engine, port), expected(batch[: i + 1]))
        assert_same(rollups(engine, port, hourly=True), expected(batch[: i + 1], hourly=True))
        # The tables hold the readings up to the first of the open minute; the rest wait.
        assert sum(r[1] for r in table_rows(engine, port)) == i + 1 - i % 6


def test_a_restart_in_the_middle_of_a_minute_resumes_exactly(engine, sessions):
    port = make_port(sessions)
    batch = rows(port, POWERS, step_s=10)
    for part in (batch[:4], batch[4:9], batch[9:10], batch[10:]):
        store(engine, RollupKeeper(), part)  # a new process each time: nothing cached
    assert_same(rollups(engine, port), expected(batch))
    assert sum(r[5] for r in rollups(engine, port)) == pytest.approx(
        sum(p * 10 / 3600 for p in POWERS[:-1])
    )


def test_a_late_reading_inside_the_tail_is_recounted_and_one_before_the_mark_adds_no_energy(
    engine, sessions
):
    port = make_port(sessions)
    keeper = RollupKeeper()
    batch = rows(port, POWERS[:15], step_s=10)  # the mark moves at 12:02:00 (reading 12)
    for row in batch[:13] + batch[14:]:
        store(engine, keeper, [row])
    store(engine, keeper, [batch[13]])  # 12:02:10, after the mark, before the newest
    assert_same(rollups(engine, port), expected(batch))
    before_mark = rows(port, [7.0], start=T0 + timedelta(seconds=5))
    store(engine, keeper, before_mark)  # 12:00:05, long folded: statistics only
    got = rollups(engine, port)
    want = expected(batch)
    assert got[0][1] == want[0][1] + 1 and got[0][4] == pytest.approx(want[0][4] + 7.0)
    assert sum(g[5] for g in got) == pytest.approx(sum(w[5] for w in want))
    store(engine, RollupKeeper(), rows(port, [1.0], start=T0 + timedelta(seconds=150)))
    assert sum(r[1] for r in rollups(engine, port)) == 17  # a restart sees the same tail


def test_history_energy_export_and_detection_see_the_open_minute(engine, sessions, tmp_path):
    port = make_port(sessions)
    batch = rows(port, POWERS[:16], step_s=10)  # 12:00:00 to 12:02:30: 12:02 is open
    keeper = RollupKeeper()
    for row in batch:
        store(engine, keeper, [row])
    want = expected(batch)
    assert sum(r[1] for r in table_rows(engine, port)) == 13  # the open minute waits
    end = T0 + timedelta(hours=1)
    out = tmp_path / "minutes.csv"
    with engine.connect() as conn:
        series = fetch_series(conn, [port], T0, end, Resolution.MINUTE)[port]
        hours = fetch_series(conn, [port], T0, T0 + timedelta(days=3))[port]
        by_port, _home = energy_report(
            conn, [(port, "TV")], T0, end, PeriodBy.ALL, Tariff(0.40, "EUR"),
            ZoneInfo("Europe/Berlin"), now=end,
        )  # fmt: skip
        minutes = recent_minutes(conn, port, T0)
        export_csv(conn, [(port, "TV")], T0, end, Resolution.MINUTE, out)
    assert list(series.t) == [w[0] for w in want]
    assert list(series.mean) == pytest.approx([w[4] / w[1] for w in want])
    assert (hours.min[0], hours.max[0]) == (min(POWERS[:16]), max(POWERS[:16]))
    kwh = by_port[port][0].to_json()["kwh"]  # rounded to the Wh
    assert kwh == pytest.approx(sum(w[5] for w in want) / 1000, abs=1e-6)
    assert [(m.n, m.max_w) for m in minutes] == [(w[1], w[3]) for w in want]
    lines = list(csv.DictReader(out.open()))
    assert [int(line["readings"]) for line in lines] == [6, 6, 4]
    assert lines[-1]["bucket_start_utc"] == "2026-11-20 12:02:00"
    assert float(lines[-1]["energy_wh"]) == pytest.approx(want[-1][5])


def test_retention_keeps_the_readings_the_rollups_do_not_hold_yet(engine, sessions):
    port = make_port(sessions)
    batch = rows(port, POWERS[:16], step_s=10)
    keeper = RollupKeeper()
    for row in batch:
        store(engine, keeper, [row])
    before = rollups(engine, port)
    assert retention.prune(engine, keep_days=1, now=T0 + timedelta(days=30), pause_s=0) == 13
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(PowerReading)) == 3
    assert_same(rollups(engine, port), before)


def test_the_upgrade_marks_each_port_at_its_newest_reading(db_url):
    engine = engine_at(db_url, "0006_rollup_marks-1")  # rolled up per batch, no marks
    port = make_port(session_factory(engine))
    batch = rows(port, POWERS, step_s=10)
    with engine.begin() as conn:
        conn.execute(insert(PowerReading), batch[:8])
        roll_up_points(conn, port, None, points(batch[:8]), 5.0)
    upgrade_schema(engine)
    keeper = RollupKeeper()
    for row in batch[8:]:
        store(engine, keeper, [row])
    assert_same(rollups(engine, port), expected(batch))
    engine.dispose()
