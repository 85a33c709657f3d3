"""A port's rhythm in the store: the owner's override, what was recognised, recent readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from phantom_desktop.store import repository
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.models import Port, PowerReading
from phantom_desktop.store.port_rhythm import recent_power, save_rhythm, set_rhythm_override

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def port(db_url):
    engine = open_store(db_url)
    sessions = session_factory(engine)
    with sessions.begin() as s:
        user = repository.ensure_local_user(s)
        port = repository.create_port(s, user.id, "Fridge", None, 5.0, 60.0, True)
        ids = (user.id, port.id)
    yield engine, sessions, *ids
    engine.dispose()


def test_the_override_is_checked_and_stored(port):
    _engine, sessions, user_id, port_id = port
    with sessions.begin() as s:
        assert s.get(Port, port_id).rhythm_override == "auto"
        set_rhythm_override(s, user_id, port_id, "rests")
    with sessions.begin() as s:
        assert s.get(Port, port_id).rhythm_override == "rests"
        with pytest.raises(repository.InvalidInput, match="one of auto, rests, standby"):
            set_rhythm_override(s, user_id, port_id, "fridge")


def test_what_was_recognised_is_saved_for_every_window(port):
    engine, sessions, _user_id, port_id = port
    with engine.begin() as conn:
        save_rhythm(conn, port_id, "cycling, ~40 min rhythm", T0)
    with sessions.begin() as s:
        row = s.get(Port, port_id)
        assert (row.rhythm_seen, row.rhythm_since) == ("cycling, ~40 min rhythm", T0)


def test_recent_power_is_the_newest_readings_within_the_window_oldest_first(port):
    engine, _sessions, _user_id, port_id = port
    rows = [
        {
            "port_id": port_id,
            "timestamp": T0 + timedelta(hours=h),
            "voltage": 230.0,
            "current": 0.01,
            "power": float(h),
            "source": "test",
        }
        for h in range(10)
    ]
    with engine.begin() as conn:
        conn.execute(PowerReading.__table__.insert(), rows)
        assert [p for _t, p in recent_power(conn, port_id, 3 * 3600)] == [6.0, 7.0, 8.0, 9.0]
        assert [p for _t, p in recent_power(conn, port_id, 99 * 3600, max_rows=2)] == [8.0, 9.0]
        assert recent_power(conn, "no-such-port", 3600) == []
