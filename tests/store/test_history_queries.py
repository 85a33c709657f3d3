"""History series, energy report, CSV export and retention on a stored known trace."""

from __future__ import annotations

import csv
import threading
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from phantom_desktop.core.enums import EventAction
from phantom_desktop.core.periods import PeriodBy
from phantom_desktop.core.tariff import Tariff
from phantom_desktop.store import retention
from phantom_desktop.store.energy_queries import energy_report
from phantom_desktop.store.export import ExportCancelled, export_csv
from phantom_desktop.store.history_queries import Resolution, fetch_series
from phantom_desktop.store.models import PhantomEvent, PowerReading
from phantom_desktop.store.rollup_models import Rollup1m
from phantom_desktop.store.rollup_queries import home_baseline_w, recent_minutes
from phantom_desktop.store.rollups import RollupKeeper
from tests.store.rollup_helpers import T0, make_port, rows, store

UTC = UTC


@pytest.fixture
def engine(sessions):
    return sessions.kw["bind"]


@pytest.fixture
def tv(engine, sessions) -> str:
    """100 W for 1 h, 2 W standby for 30 min, cut (0 W) for 2 h, then 100 W: a reading a minute."""
    port = make_port(sessions)
    store(
        engine, RollupKeeper(), rows(port, [100.0] * 60 + [2.0] * 30 + [0.0] * 120 + [100.0] * 31)
    )
    with engine.begin() as conn:
        conn.execute(
            insert(PhantomEvent).values(
                port_id=port, started_at=T0 + timedelta(minutes=60),
                detected_at=T0 + timedelta(minutes=90), ended_at=T0 + timedelta(minutes=90),
                power_w=2.0, wasted_wh=1.0, action=EventAction.AUTO_CUT,
            )
        )  # fmt: skip
    return port


def test_resolution_follows_the_span_and_points_stay_bounded(engine, tv):
    with engine.connect() as conn:
        raw = fetch_series(conn, [tv], T0, T0 + timedelta(minutes=30))[tv]
        minute = fetch_series(conn, [tv], T0, T0 + timedelta(hours=4))[tv]
        hour = fetch_series(conn, [tv], T0, T0 + timedelta(days=3))[tv]
        folded = fetch_series(conn, [tv], T0, T0 + timedelta(hours=4), Resolution.MINUTE, 24)[tv]
    assert (raw.resolution, len(raw)) == (Resolution.RAW, 30)
    assert raw.t[0] == T0.timestamp() and raw.mean[0] == 100.0
    assert (minute.resolution, len(minute)) == (Resolution.MINUTE, 240)
    assert (hour.resolution, len(hour)) == (Resolution.HOUR, 5)
    assert hour.mean[1] == pytest.approx((30 * 2.0 + 30 * 0.0) / 60)
    assert (hour.min[1], hour.max[1]) == (0.0, 2.0)
    assert len(folded) <= 24 and folded.max.max() == 100.0 and folded.min.min() == 0.0
    assert hour.to_json()[0] == {"t": "2026-11-20T12:00:00Z", "min": 100.0, "mean": 100.0,
                                 "max": 100.0}  # fmt: skip


def test_energy_report_counts_energy_waste_and_what_the_cut_saved(engine, tv):
    with engine.connect() as conn:
        by_port, home = energy_report(
            conn, [(tv, "TV")], T0, T0 + timedelta(hours=5), PeriodBy.ALL,
            Tariff(0.40, "EUR"), ZoneInfo("Europe/Berlin"), now=T0 + timedelta(hours=5),
        )  # fmt: skip
    row = by_port[tv][0].to_json()
    assert row["kwh"] == pytest.approx(0.151)  # 100 Wh, 1 Wh of standby, off, 30 min x 100 W
    assert row["standbyKwh"] == pytest.approx(0.001)
    assert row["wastedKwh"] == pytest.approx(0.001)
    assert row["savedKwh"] == pytest.approx(0.004)  # 2 W x the 2 h the port stayed off
    assert row["cost"] == pytest.approx(0.151 * 0.40)
    assert home[0].to_json()["kwh"] == row["kwh"]


def test_recent_minutes_and_baselines_for_detection(engine, tv):
    with engine.connect() as conn:
        minutes = recent_minutes(conn, tv, T0 + timedelta(minutes=59), T0 + timedelta(minutes=62))
        home, floors = home_baseline_w(conn, [tv], T0 + timedelta(minutes=90), window_s=1800)
    assert [(m.n, m.mean_w) for m in minutes] == [(1, 100.0), (1, 2.0), (1, 2.0)]
    assert minutes[1].standby_s == 60.0
    assert home == floors[tv] == 2.0


def test_readings_stored_out_of_order_come_back_in_time_order_with_their_power(engine, sessions):
    kettle = make_port(sessions, "Kettle")
    trace = rows(kettle, [2000.5, 1.25, 0.0, 3.5] * 5, step_s=30)
    store(engine, RollupKeeper(), trace[10:])
    store(engine, None, trace[:10])  # older readings arriving late
    with engine.connect() as conn:
        raw = fetch_series(conn, [kettle], T0, T0 + timedelta(minutes=10))[kettle]
    assert list(raw.t) == [r["timestamp"].timestamp() for r in trace]
    assert list(raw.mean) == [r["power"] for r in trace]


def test_export_writes_every_reading_and_a_cancel_leaves_nothing(engine, tv, tmp_path):
    out = tmp_path / "tv.csv"
    seen = []
    with engine.connect() as conn:
        count = export_csv(conn, [(tv, "TV")], T0, T0 + timedelta(days=1), Resolution.RAW, out,
                           seen.append)  # fmt: skip
    lines = list(csv.reader(out.open()))
    assert count == 241 == len(lines) - 1
    assert lines[0][:3] == ["port", "port_id", "timestamp_utc"]
    assert lines[1][:3] == ["TV", tv, "2026-11-20 12:00:00.000000"] and float(lines[1][5]) == 100
    assert seen[-1].rows == seen[-1].total == 241
    with engine.connect() as conn:
        hourly = export_csv(conn, [(tv, "TV")], T0, T0 + timedelta(days=1), Resolution.HOUR, out)
    assert hourly == 5
    assert list(csv.reader(out.open()))[1][2:4] == ["2026-11-20 12:00:00", "60"]
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExportCancelled), engine.connect() as conn:
        export_csv(conn, [(tv, "TV")], T0, T0 + timedelta(days=1), Resolution.RAW,
                   tmp_path / "no.csv", cancel=cancel)  # fmt: skip
    assert not list(tmp_path.glob("no.csv*"))


def test_export_keeps_each_port_together_in_time_order_within_the_range(
    engine, sessions, tv, tmp_path
):
    kettle = make_port(sessions, "Kettle, big")
    late_first = rows(kettle, [2000.5, 1.25] * 90, start=T0 + timedelta(minutes=30), step_s=45)
    store(engine, None, late_first[90:] + late_first[:90])  # stored out of time order
    out = tmp_path / "both.csv"
    start, end = T0 + timedelta(minutes=45), T0 + timedelta(hours=3, minutes=10)
    with engine.connect() as conn:
        count = export_csv(conn, [(kettle, "Kettle, big"), (tv, "TV")], start, end,
                           Resolution.RAW, out)  # fmt: skip
    lines = list(csv.reader(out.open()))[1:]
    kettle_lines = [line for line in lines if line[1] == kettle]
    assert lines[: len(kettle_lines)] == kettle_lines and kettle_lines[0][0] == "Kettle, big"
    expected = [r for r in late_first if start <= r["timestamp"] < end]
    assert [line[2] for line in kettle_lines] == [
        r["timestamp"].strftime("%Y-%m-%d %H:%M:%S.%f") for r in expected
    ]
    assert kettle_lines[0][3] == "230" and kettle_lines[0][6] == "http"
    assert float(kettle_lines[0][4]) == pytest.approx(2000.5 / 230, rel=1e-6)
    assert [float(line[5]) for line in kettle_lines] == [r["power"] for r in expected]
    assert count == len(lines) == len(expected) + 145  # the TV's minutes 45 to 189


def test_retention_deletes_old_readings_in_steps_and_keeps_rollups(engine, tv, monkeypatch):
    monkeypatch.setattr(retention, "STEP_ROWS", 50)
    with engine.connect() as conn:
        minutes_before = conn.scalar(select(func.count()).select_from(Rollup1m))
    deleted = retention.prune(engine, keep_days=1, now=T0 + timedelta(days=1, hours=2), pause_s=0)
    assert deleted == 120
    with engine.connect() as conn:
        oldest = conn.scalar(select(func.min(PowerReading.timestamp)))
        assert oldest == T0 + timedelta(hours=2)
        assert conn.scalar(select(func.count()).select_from(Rollup1m)) == minutes_before
