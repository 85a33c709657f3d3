"""Rows of the devices and ports views, and the data behind "Suggest threshold"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from phantom_desktop.store import repository, summaries
from phantom_desktop.store.models import PhantomEvent
from phantom_desktop.store.repository import InvalidInput, NotFound
from tests.store.store_helpers import T0, add_readings, setup_device


def test_port_summaries_have_device_latest_reading_and_open_event(sessions, users):
    with sessions.begin() as s:
        device, _, (tv, lamp) = setup_device(s, users.alice, "strip", ports=("TV", "Lamp"))
        loose = repository.create_port(s, users.alice, "Kettle", None, 5.0)
        add_readings(s, tv.id, [100.0, 50.0, 2.5])
        add_readings(s, tv.id, [999.0], start=T0 - timedelta(hours=1))  # late, older reading
        s.add(
            PhantomEvent(
                port_id=tv.id, started_at=T0, detected_at=T0, power_w=2.5, action="notified"
            )
        )
        repository.set_port_status(s, users.alice, lamp.id, "off")
        repository.create_port(s, users.bob, "Their TV", None, 5.0)
        ids = (device.id, tv.id, lamp.id, loose.id)
    device_id, tv_id, lamp_id, loose_id = ids
    with sessions() as s:
        rows = summaries.port_summaries(s, users.alice)
        assert [r.name for r in rows] == ["Kettle", "Lamp", "TV"]
        kettle, lamp, tv = rows
        assert (tv.id, tv.device_id, tv.device_name, tv.latest_power_w) == (
            tv_id,
            device_id,
            "strip",
            2.5,
        )
        assert tv.last_reading_at == T0 + timedelta(seconds=20)
        assert tv.in_phantom is True and lamp.in_phantom is False
        assert (lamp.status, lamp.latest_power_w, lamp.last_reading_at) == ("off", None, None)
        assert (kettle.id, kettle.device_id, kettle.device_name) == (loose_id, None, None)
        assert [r.id for r in summaries.port_summaries(s, users.alice, [lamp_id])] == [lamp_id]
        assert summaries.port_summaries(s, users.bob, [tv_id]) == []


def test_device_summaries_count_ports_and_show_token_state(sessions, users):
    with sessions.begin() as s:
        active, _, (tv, lamp) = setup_device(s, users.alice, "active", ports=("TV", "Lamp"))
        add_readings(s, tv.id, [10.0], start=T0)
        add_readings(s, lamp.id, [10.0], start=T0 + timedelta(minutes=5))
        revoked, _, _ = setup_device(s, users.alice, "revoked", ports=())
        repository.revoke_device_tokens(s, users.alice, revoked.id)
        none = repository.create_device(s, users.alice, "none")
        setup_device(s, users.bob, "bob's")
        newest_prefix = repository.rotate_token(s, users.alice, active.id)[1].prefix
        ids = (active.id, revoked.id, none.id)
    with sessions() as s:
        rows = {r.name: r for r in summaries.device_summaries(s, users.alice)}
        assert list(rows) == ["active", "none", "revoked"]
        assert (rows["active"].port_count, rows["active"].token_state) == (2, "active")
        assert rows["active"].token_prefix == newest_prefix
        assert rows["active"].last_reading_at == T0 + timedelta(minutes=5)
        assert (rows["revoked"].token_state, rows["revoked"].port_count) == ("revoked", 0)
        assert rows["revoked"].token_prefix.startswith("pdt_")
        assert (rows["none"].token_state, rows["none"].token_prefix) == ("none", None)
        assert rows["none"].last_reading_at is None
        assert [r.id for r in summaries.device_summaries(s, users.alice, [ids[2]])] == [ids[2]]
        assert summaries.device_summaries(s, users.bob, ids) == []


def test_recent_powers_are_the_non_zero_ones_before_the_latest_reading(sessions, users):
    with sessions.begin() as s:
        _, _, (tv,) = setup_device(s, users.alice)
        add_readings(s, tv.id, [7.0], start=T0 - timedelta(hours=50))  # outside 48 h
        add_readings(s, tv.id, [1.0, 0.0, 80.0, 0.0, 1.5], start=T0)
        port_id = tv.id
    with sessions() as s:
        powers, latest = summaries.recent_powers(s, users.alice, port_id)
        assert sorted(powers) == [1.0, 1.5, 80.0]
        assert latest == T0 + timedelta(seconds=40)
        assert len(summaries.recent_powers(s, users.alice, port_id, hours=60)[0]) == 4
        with pytest.raises(InvalidInput, match="positive number of hours"):
            summaries.recent_powers(s, users.alice, port_id, hours=0)
        with pytest.raises(NotFound):
            summaries.recent_powers(s, users.bob, port_id)


def test_suggest_port_threshold_from_stored_readings(sessions, users):
    with sessions.begin() as s:
        _, _, (tv,) = setup_device(s, users.alice)
        add_readings(s, tv.id, [0.8] * 100 + [0.0] * 10 + [85.0] * 100)
        empty = repository.create_port(s, users.alice, "Empty", None, 5.0)
        ids = tv.id, empty.id
    with sessions() as s:
        suggestion = summaries.suggest_port_threshold(s, users.alice, ids[0])
        assert suggestion.threshold_w == pytest.approx(1.3)
        assert suggestion.samples == 200
        assert "the 48 h up to its latest reading (2026-11-20 12:34 UTC)" in (
            suggestion.explanation
        )
        assert "current threshold, 5 W, also separates" in suggestion.explanation
        nothing = summaries.suggest_port_threshold(s, users.alice, ids[1])
        assert nothing.threshold_w is None
        assert "Not enough data: 0 non-zero readings in the last 48 h" in nothing.explanation


def test_port_summaries_find_the_latest_reading_through_the_index(sessions, users, db_url):
    """The ports view must stay fast with millions of readings: no scan of power_readings."""
    with sessions() as s:
        _, _, (tv,) = setup_device(s, users.alice)
        add_readings(s, tv.id, [1.0, 2.0])
        statement, parameters = _executed_sql(s, lambda: summaries.port_summaries(s, users.alice))
        conn = s.connection()
        if db_url.startswith("sqlite"):
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            details = " | ".join(str(row[-1]) for row in plan)
            assert "ix_power_readings_port_ts" in details, details
            assert "SCAN power_readings" not in details, details
        else:
            plan = conn.exec_driver_sql("EXPLAIN " + statement, parameters).mappings().all()
            readings = [row for row in plan if str(row["table"]).startswith("power_readings")]
            assert readings, plan
            keys = {row["key"] for row in readings}
            assert keys == {"PRIMARY", "ix_power_readings_port_ts"}, plan


def _executed_sql(session, run) -> tuple[str, object]:
    """The last statement `run` sent to the database, with its driver parameters."""
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return captured[-1]
