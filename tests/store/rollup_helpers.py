"""Helpers for rollup tests: a port, and readings stored the way the writer stores them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select

from phantom_desktop.store import repository
from phantom_desktop.store.models import PowerReading
from phantom_desktop.store.rollup_models import Rollup1h, Rollup1m
from phantom_desktop.store.rollup_tail import edge, open_tail, split_at
from phantom_desktop.store.rollups import TABLE_1H, TABLE_1M, RollupKeeper

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_port(sessions, name: str = "TV", threshold_w: float = 5.0) -> str:
    with sessions.begin() as s:
        user = repository.ensure_local_user(s)
        return repository.create_port(s, user.id, name, None, threshold_w, 0.0).id


def rows(port_id: str, powers, start=T0, step_s: float = 60.0) -> list[dict]:
    return [
        {
            "port_id": port_id,
            "timestamp": start + timedelta(seconds=i * step_s),
            "voltage": 230.0,
            "current": p / 230.0,
            "power": float(p),
            "source": "http",
        }
        for i, p in enumerate(powers)
    ]


def store(engine: Engine, keeper: RollupKeeper | None, batch: list[dict], threshold=5.0) -> None:
    """Insert a batch and (with a keeper) its rollups in one transaction, as the writer does."""
    with engine.begin() as conn:
        conn.execute(insert(PowerReading), batch)
        if keeper is not None:
            keeper.apply(conn, batch, {r["port_id"]: threshold for r in batch})


def table_rows(engine: Engine, port_id: str, hourly: bool = False) -> list[tuple]:
    """The port's rows in a rollup table, as stored (without its open tail)."""
    table = Rollup1h if hourly else Rollup1m
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(
                    table.bucket, table.n, table.min_w, table.max_w, table.sum_w, table.wh,
                    table.standby_wh, table.standby_s, table.off_s,
                ).where(table.port_id == port_id).order_by(table.bucket)
            )
        ]  # fmt: skip


def rollups(engine: Engine, port_id: str, hourly: bool = False) -> list[tuple]:
    """The port's rollups as every reader sees them: the table with the open tail merged in."""
    width = 3600 if hourly else 60
    with engine.connect() as conn:
        tail = open_tail(conn, port_id)
        split = split_at(tail, width, 2**62)
        last = edge(conn, TABLE_1H if hourly else TABLE_1M, width, port_id, tail, 0, 2**62)
    stored = [row for row in table_rows(engine, port_id, hourly) if row[0] < split]
    return stored + [
        (b, d.n, d.min_w, d.max_w, d.sum_w, d.wh, d.standby_wh, d.standby_s, d.off_s)
        for b, d in last
    ]
