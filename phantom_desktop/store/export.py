"""CSV export of readings or rollups, streamed: constant memory whatever the range.

Rows go from the driver's cursor (`fetchmany`) straight to `csv.writer`; timestamps are
formatted by the database and each port's name is a bound constant, so Python touches each row
once. The file is written next to its destination and renamed when complete: a cancelled or
failed export leaves no half file behind.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from phantom_desktop.store.history_queries import Resolution
from phantom_desktop.store.rollups import TABLE_1H, TABLE_1M
from phantom_desktop.store.sql_time import (
    bind_timestamp,
    dialect_name,
    from_epoch_s,
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


def _query(dialect: str, resolution: Resolution) -> str:
    """Raw rows come back as finished CSV lines (the bound prefix is the quoted port name and
    a comma): the database formats them faster than Python's csv module can."""
    mark = "?" if dialect == "sqlite" else "%s"
    if resolution is Resolution.RAW:
        ts = timestamp_text(dialect, "timestamp")
        if dialect == "sqlite":
            line = (
                f"{mark} || port_id || ',' || {ts} || ',' || "
                "printf('%.7g,%.7g,%.7g,', voltage, current, power) || source"
            )
        else:
            line = (
                f"CONCAT({mark}, port_id, ',', {ts}, ',', voltage, ',', current, ',', power, "
                "',', source)"
            )
        return (
            f"SELECT {line} FROM power_readings "
            f"WHERE port_id = {mark} AND timestamp >= {mark} AND timestamp < {mark} "
            "ORDER BY timestamp"
        )
    table = TABLE_1M if resolution is Resolution.MINUTE else TABLE_1H
    return (
        f"SELECT {mark}, port_id, {from_epoch_s(dialect, 'bucket')}, n, min_w, "
        "CASE WHEN n > 0 THEN sum_w / n END, max_w, wh, standby_wh, standby_s, off_s "
        f"FROM {table} WHERE port_id = {mark} AND bucket >= {mark} AND bucket < {mark} "
        "ORDER BY bucket"
    )


def _chunks(conn: Connection, sql: str, params: tuple[Any, ...]) -> Iterator[Sequence[Any]]:
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
    sql = _query(dialect, resolution)
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
            where = sql.rsplit(" ORDER BY", 1)[0].split(" FROM ", 1)[1]
            for port_id, _name in ports:
                count = conn.exec_driver_sql(f"SELECT count(*) FROM {where}", (port_id, *bounds))
                total += int(count.scalar() or 0)
            on_progress(ExportProgress(0, total))
        with open(partial, "w", newline="", encoding="utf-8", buffering=1 << 20) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            raw = resolution is Resolution.RAW
            writer.writerow(RAW_HEADER if raw else ROLLUP_HEADER)
            for port_id, name in ports:
                prefix = _csv_field(name) + "," if raw else name
                for rows in _chunks(conn, sql, (prefix, port_id, *bounds)):
                    if cancel is not None and cancel.is_set():
                        raise ExportCancelled
                    if raw:
                        handle.write("\n".join([row[0] for row in rows]))
                        handle.write("\n")
                    else:
                        writer.writerows(rows)
                    written += len(rows)
                    if on_progress is not None:
                        on_progress(ExportProgress(written, max(total, written)))
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written
