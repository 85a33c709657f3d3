"""CSV export of readings or rollups, streamed: constant memory whatever the range.

Raw readings come from the database as finished CSV text: on SQLite an hour of a port per
query, two queries at once (`export_sqlite`); on MariaDB one line per row from the unbuffered
cursor. Rollup rows go from the cursor (`fetchmany`) to `csv.writer`. Timestamps are formatted
by the database and each port's name is a bound constant. The file is written next to its
destination and renamed when complete: a cancelled or failed export leaves no half file behind.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from phantom_desktop.core.rollup_math import Delta
from phantom_desktop.store.export_sqlite import raw_csv_text
from phantom_desktop.store.history_queries import Resolution
from phantom_desktop.store.rollup_tail import edge, open_tails, split_at
from phantom_desktop.store.rollups import TABLE_1H, TABLE_1M
from phantom_desktop.store.sql_time import (
    bind_timestamp,
    dialect_name,
    from_epoch_s,
    placeholder,
    timestamp_text,
)

FETCH = 20_000
RAW_HEADER = ("port", "port_id", "timestamp_utc", "voltage_v", "current_a", "power_w", "source")
ROLLUP_HEADER = (
    "port", "port_id", "bucket_start_utc", "readings", "min_w", "mean_w", "max_w",
    "energy_wh", "standby_wh", "standby_s", "off_s",
)  # fmt: skip


class ExportCancelled(Exception):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True, slots=True)
class ExportProgress:
    rows: int
    total: int


def _source(dialect: str, resolution: Resolution) -> str:
    """The FROM and WHERE of a port's rows in a range (port id, start, end)."""
    mark = placeholder(dialect)
    if resolution is Resolution.RAW:
        table, column = "power_readings", "timestamp"
    else:
        table, column = (TABLE_1M if resolution is Resolution.MINUTE else TABLE_1H), "bucket"
    return (
        f"FROM {table} WHERE port_id = {mark} AND {column} >= {mark} AND {column} < {mark} "
        f"ORDER BY {column}"
    )


def _query(dialect: str, resolution: Resolution) -> str:
    """MariaDB's raw rows come back as finished CSV lines (the bound prefix is the quoted port
    name and a comma): the database formats them faster than Python's csv module can."""
    mark = placeholder(dialect)
    if resolution is Resolution.RAW:
        ts = timestamp_text(dialect, "timestamp")
        line = (
            f"CONCAT({mark}, port_id, ',', {ts}, ',', voltage, ',', current, ',', power, "
            "',', source)"
        )
        return f"SELECT {line} {_source(dialect, resolution)}"
    return (
        f"SELECT {mark}, port_id, {from_epoch_s(dialect, 'bucket')}, n, min_w, "
        "CASE WHEN n > 0 THEN sum_w / n END, max_w, wh, standby_wh, standby_s, off_s "
        f"{_source(dialect, resolution)}"
    )


@contextmanager
def _parts(
    conn: Connection,
    dialect: str,
    resolution: Resolution,
    ports: Sequence[tuple[str, str]],
    start: datetime,
    end: datetime,
    bounds: tuple[object, object],
) -> Iterator[Iterator[tuple[int, str]]]:
    """The export's CSV text after the header, as (rows, text) parts in port and time order."""
    raw = resolution is Resolution.RAW
    if raw and dialect == "sqlite":
        lines = [(f"{_csv_field(name)},{port_id},", port_id) for port_id, name in ports]
        with raw_csv_text(conn, lines, start, end) as parts:
            yield parts
        return
    sql = _query(dialect, resolution)
    tails = {} if raw else open_tails(conn, [port_id for port_id, _name in ports])

    def chunks() -> Iterator[tuple[int, str]]:
        for port_id, name in ports:
            if raw:
                for rows in _streamed(conn, sql, (_csv_field(name) + ",", port_id, *bounds)):
                    yield len(rows), "\n".join([row[0] for row in rows]) + "\n"
                continue
            lo, hi = bounds
            assert isinstance(lo, int) and isinstance(hi, int)
            width = 60 if resolution is Resolution.MINUTE else 3600
            tail = tails[port_id]
            for rows in _streamed(conn, sql, (name, port_id, lo, split_at(tail, width, hi))):
                yield len(rows), _csv_text(rows)
            table = TABLE_1M if resolution is Resolution.MINUTE else TABLE_1H
            last = [
                _rollup_row(name, port_id, bucket, d)
                for bucket, d in edge(conn, table, width, port_id, tail, lo, hi)
            ]
            if last:
                yield len(last), _csv_text(last)

    yield chunks()


def _csv_text(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _rollup_row(name: str, port_id: str, bucket: int, d: Delta) -> tuple[object, ...]:
    """A bucket merged with the open tail, as the database formats the others' rows."""
    start = datetime.fromtimestamp(bucket, UTC).strftime("%Y-%m-%d %H:%M:%S")
    mean = d.sum_w / d.n if d.n > 0 else None
    return (
        name,
        port_id,
        start,
        d.n,
        d.min_w,
        mean,
        d.max_w,
        d.wh,
        d.standby_wh,
        d.standby_s,
        d.off_s,
    )


def _streamed(conn: Connection, sql: str, params: tuple[Any, ...]) -> Iterator[Sequence[Any]]:
    """The query's rows, `FETCH` at a time, never all in memory. SQLite's own cursor streams
    (and skips SQLAlchemy's per-row work); PyMySQL needs its unbuffered cursor, which
    SQLAlchemy's `stream_results` picks."""
    if dialect_name(conn) == "sqlite":
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(FETCH):
                yield rows
        finally:
            cursor.close()
        return
    result = conn.execution_options(stream_results=True).exec_driver_sql(sql, params)
    try:
        while rows := result.fetchmany(FETCH):
            yield rows
    finally:
        result.close()


def _csv_field(text: str) -> str:
    """`text` as one CSV field, quoted if it needs to be."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([text])
    return buffer.getvalue()


def export_csv(
    conn: Connection,
    ports: Sequence[tuple[str, str]],
    start: datetime,
    end: datetime,
    resolution: Resolution,
    out: Path,
    on_progress: Callable[[ExportProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Write the ports' (id, name) rows in [start, end) to `out`; returns the row count.

    With `on_progress`, the rows are counted first (an index range scan) so progress is exact.
    """
    if resolution is Resolution.AUTO:
        raise ValueError("export needs a resolution: raw, 1m or 1h")
    dialect = dialect_name(conn)
    if resolution is Resolution.RAW:
        bounds = (bind_timestamp(start, dialect), bind_timestamp(end, dialect))
    else:
        width = 60 if resolution is Resolution.MINUTE else 3600
        bounds = (int(start.timestamp()) // width * width, int(end.timestamp()))
    partial = out.with_name(out.name + ".part")
    written = 0
    try:
        total = 0
        if on_progress is not None:
            source = _source(dialect, resolution).rsplit(" ORDER BY", 1)[0]
            for port_id, _name in ports:
                count = conn.exec_driver_sql(f"SELECT count(*) {source}", (port_id, *bounds))
                total += int(count.scalar() or 0)
            on_progress(ExportProgress(0, total))
        with (
            open(partial, "w", newline="", encoding="utf-8", buffering=1 << 20) as handle,
            _parts(conn, dialect, resolution, ports, start, end, bounds) as parts,
        ):
            header = RAW_HEADER if resolution is Resolution.RAW else ROLLUP_HEADER
            csv.writer(handle, lineterminator="\n").writerow(header)
            for rows, text in parts:
                if cancel is not None and cancel.is_set():
                    raise ExportCancelled
                handle.write(text)
                written += rows
                if on_progress is not None:
                    on_progress(ExportProgress(written, max(total, written)))
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written
