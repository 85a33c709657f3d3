"""What the writer's hot statements store comes back exactly, awkward port ids included (on
MySQL they are rendered as SQL text rather than bound: store/multi_row.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from phantom_desktop.store import ingest_queries as sql
from phantom_desktop.store import repository
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.models import Port, PowerReading
from phantom_desktop.store.rollup_models import Rollup1m
from phantom_desktop.store.rollups import RollupKeeper

AWKWARD_IDS = ["it's 100%", 'back\\slash "quoted"', "%s and %(x)s", "naïve ✓"]


def test_readings_and_rollups_of_awkward_port_ids_come_back_exactly(db_url):
    engine = open_store(db_url)
    try:
        with session_factory(engine).begin() as s:
            user = repository.ensure_local_user(s)
            for port_id in AWKWARD_IDS:  # the contract lets a script choose its port ids
                s.add(Port(id=port_id, user_id=user.id, name=port_id, threshold_w=5.0))
        at = datetime(2026, 3, 29, 0, 59, 59, 123456, tzinfo=UTC)
        rows = [
            {
                "port_id": port_id,
                "timestamp": at,
                "voltage": 229.9,
                "current": 0.1 / 3,
                "power": 1e-7 if n == 0 else 12345.678901234,
                "source": "http",
            }
            for n, port_id in enumerate(AWKWARD_IDS)
        ]
        with engine.begin() as conn:
            ids = sql.insert_readings(conn, rows)
            RollupKeeper().apply(conn, rows, {p: 5.0 for p in AWKWARD_IDS})
        with engine.connect() as conn:
            stored = conn.execute(
                select(
                    PowerReading.id,
                    PowerReading.port_id,
                    PowerReading.timestamp,
                    PowerReading.current,
                    PowerReading.power,
                ).order_by(PowerReading.id)
            ).all()
            rollups = dict(conn.execute(select(Rollup1m.port_id, Rollup1m.sum_w)).all())
        assert [r.id for r in stored] == ids
        assert [r.port_id for r in stored] == AWKWARD_IDS
        assert {r.timestamp for r in stored} == {at}
        assert [r.current for r in stored] == [0.1 / 3] * 4  # doubles, to the last bit
        assert [r.power for r in stored] == [row["power"] for row in rows]
        assert rollups == {row["port_id"]: row["power"] for row in rows}
    finally:
        engine.dispose()
