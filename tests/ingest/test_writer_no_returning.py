"""The writer without INSERT … RETURNING, as on MySQL 8 and MariaDB < 10.5.

MySQL 8 is not installable here, so the path is forced on MariaDB: every writer test runs again
with the dialect told that RETURNING is unavailable.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from phantom_desktop.store import ingest_queries as sql
from phantom_desktop.store.database import open_store
from phantom_desktop.store.models import PowerReading
from tests.ingest import test_writer
from tests.ingest.test_writer import *  # noqa: F403 - the same tests, on this module's fixtures

pytestmark = pytest.mark.mysql


@pytest.fixture
def db_url(mysql_url):
    return mysql_url


@pytest.fixture
def store(db_url, monkeypatch):
    """test_writer's store, on an engine whose dialect has no INSERT … RETURNING."""
    real_open_store = open_store

    def open_without_returning(url):
        engine = real_open_store(url)
        engine.dialect.insert_returning = False
        return engine

    monkeypatch.setattr(test_writer, "open_store", open_without_returning)
    yield from test_writer.store.__wrapped__(db_url)


def test_ids_match_their_rows_with_and_without_one_by_one(store):
    engine, _sessions, _writer, _token_hash, ids = store
    assert not engine.dialect.insert_returning
    values = [test_writer.reading(ids["tv"], 10.0 + n, n) for n in range(5)]
    rows = [
        {
            "port_id": v.port_id,
            "timestamp": v.timestamp,
            "voltage": v.voltage,
            "current": v.current,
            "power": v.power,
            "source": "http",
        }
        for v in values
    ]
    with engine.begin() as conn:
        many = sql.insert_readings(conn, rows)
        single = sql.insert_readings(conn, rows, one_by_one=True)
        powers = dict(conn.execute(select(PowerReading.id, PowerReading.power)).all())
    assert [powers[i] for i in many] == [powers[i] for i in single] == [v.power for v in values]
