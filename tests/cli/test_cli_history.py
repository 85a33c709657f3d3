"""`energy`, `history` and `export` on a known trace, as a user reads their output."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from phantom_desktop.config import AppPaths
from phantom_desktop.core.enums import EventAction
from phantom_desktop.store import repository
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.models import PhantomEvent
from phantom_desktop.store.rollups import insert_readings_with_rollups

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RANGE = ("--from", "2026-11-20T12:00Z", "--to", "2026-11-20T17:00Z")


@pytest.fixture
def tv() -> str:
    """100 W for 1 h, 2 W for 30 min, cut for 2 h, then 100 W: a reading a minute."""
    engine = open_store(AppPaths.for_user().default_db_url)
    with session_factory(engine).begin() as s:
        user = repository.ensure_local_user(s)
        port = repository.create_port(s, user.id, "TV", None, 5.0, 0.0).id
        powers = [100.0] * 60 + [2.0] * 30 + [0.0] * 120 + [100.0] * 31
        insert_readings_with_rollups(
            s.connection(),
            [
                {
                    "port_id": port,
                    "timestamp": T0 + timedelta(minutes=i),
                    "voltage": 230.0,
                    "current": p / 230.0,
                    "power": p,
                    "source": "http",
                }
                for i, p in enumerate(powers)
            ],
        )
        s.execute(insert(PhantomEvent).values(
            port_id=port, started_at=T0 + timedelta(minutes=60),
            detected_at=T0 + timedelta(minutes=90), ended_at=T0 + timedelta(minutes=90),
            power_w=2.0, wasted_wh=1.0, action=EventAction.AUTO_CUT))  # fmt: skip
    engine.dispose()
    return port


def test_energy_reports_kwh_standby_waste_savings_and_cost(cli, tv):
    (row,) = cli("energy", "--port", "TV", *RANGE, "--json").json()
    assert row["portId"] == tv
    assert row["kwh"] == pytest.approx(0.151)
    assert row["standbyKwh"] == pytest.approx(0.001)
    assert row["wastedKwh"] == pytest.approx(0.001)
    assert row["savedKwh"] == pytest.approx(0.004)
    assert row["cost"] == pytest.approx(0.151 * 0.30)
    assert row["currency"] == "EUR"
    assert "alwaysOnW" in row


def test_energy_by_day_gives_a_row_per_local_day(cli, tv):
    rows = cli("energy", "--from", "2026-11-19", "--to", "2026-11-22", "--by", "day",
               "--json").json()  # fmt: skip
    assert len(rows) == 3
    assert sum(r["kwh"] for r in rows) == pytest.approx(0.151)


def test_history_gives_rollup_points_or_raw_readings(cli, tv):
    hours = cli("history", tv, *RANGE, "--resolution", "1h", "--json").json()
    assert hours[0] == {"t": "2026-11-20T12:00:00Z", "min": 100.0, "mean": 100.0, "max": 100.0}
    assert len(hours) == 5
    raw = cli("history", "TV", "--from", "2026-11-20T12:00Z", "--to", "2026-11-20T12:10Z",
              "--json").json()  # fmt: skip
    assert raw[0] == {"t": "2026-11-20T12:00:00Z", "power": 100.0} and len(raw) == 10


def test_export_writes_the_csv_and_refuses_what_it_cannot_do(cli, tv, tmp_path):
    out = tmp_path / "all.csv"
    result = cli("export", "--out", str(out), "--json").json()
    assert result["rows"] == 241
    lines = list(csv.reader(out.open()))
    assert lines[0][:3] == ["port", "port_id", "timestamp_utc"] and len(lines) == 242
    bad_time = cli("export", "--out", str(out), "--from", "yesterday-ish")
    assert bad_time.code == 2 and "-7d" in bad_time.err and "Traceback" not in bad_time.err
    no_dir = cli("export", "--out", str(tmp_path / "nope" / "x.csv"))
    assert no_dir.code == 2 and "does not exist" in no_dir.err
    unknown = cli("energy", "--port", "Kettle")
    assert unknown.code != 0 and "port Kettle not found" in unknown.err
