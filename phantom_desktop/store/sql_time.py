"""What differs between the engines in hand-written SQL: times and parameter marks.

Stored UTC timestamps are read as integer epoch microseconds in SQL (`epoch_us`), which spares
Python a datetime per row and is what makes long ranges and exports fast; the values equal
`int(datetime.timestamp() * 1e6)` exactly. `bind_timestamp` gives a bind value comparable with
stored times, `placeholder` the driver's parameter mark, `dialect_name` the engine.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

# MySQL fragments go to the driver with parameters (pyformat): a literal % is written %%.
_MYSQL_SECONDS = "%%Y-%%m-%%d %%H:%%i:%%s"


def epoch_us(dialect: str, column: str) -> str:
    """An SQL expression: `column` (a UTCDateTime) as microseconds since 1970 UTC."""
    if dialect == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy always writes the microseconds).
        seconds = f"CAST(strftime('%s', {column}) AS INTEGER)"
        return f"({seconds} * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"
    return f"TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', {column})"


def from_epoch_s(dialect: str, value: str) -> str:
    """An SQL expression: integer epoch seconds `value` as 'YYYY-MM-DD HH:MM:SS' UTC text."""
    if dialect == "sqlite":
        return f"datetime({value}, 'unixepoch')"
    return f"DATE_FORMAT(DATE_ADD('1970-01-01', INTERVAL {value} SECOND), '{_MYSQL_SECONDS}')"


def timestamp_text(dialect: str, column: str) -> str:
    """An SQL expression: a stored timestamp as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC text."""
    if dialect == "sqlite":
        return column
    return f"DATE_FORMAT({column}, '{_MYSQL_SECONDS}.%%f')"


def placeholder(dialect: str) -> str:
    """The driver's mark for a bound parameter: qmark on SQLite, pyformat on MySQL."""
    return "?" if dialect == "sqlite" else "%s"


def dialect_name(conn: Connection) -> str:
    """'sqlite' or 'mysql' (MariaDB included) for a Connection."""
    name = conn.dialect.name
    return "mysql" if name in ("mysql", "mariadb") else name


def bind_timestamp(ts: datetime, dialect: str) -> object:
    """A bind value comparable with stored timestamps (SQLite keeps them as text)."""
    if ts.tzinfo is UTC and dialect == "sqlite":  # the writer's case, once per reading
        return ts.isoformat(" ", "microseconds")[:26]  # without the "+00:00"
    naive = ts.astimezone(UTC).replace(tzinfo=None) if ts.tzinfo else ts
    return naive.isoformat(sep=" ", timespec="microseconds") if dialect == "sqlite" else naive
