"""Multi-row VALUES lists as SQL text, for the writer's hot statements on MySQL/MariaDB.

PyMySQL escapes each bound value in Python (a type dispatch and a conversion per value); the
writer binds about 26 values per reading (its row and two rollup rows), which made the rollups
cost a fifth of MariaDB's ingest rate. Here numbers are written with `repr` (exact for floats,
as PyMySQL writes them too), naive UTC datetimes as text, and each distinct string once through
the connection's own escaping, which follows its character set and SQL mode. The text goes
through SQLAlchemy (errors keep their types for the retry logic) with no parameters, so a `%`
in a string is doubled for PyMySQL's formatting step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection


def _null(_value: object) -> str:
    return "NULL"


def _boolean(value: bool) -> str:
    return "1" if value else "0"


def _timestamp(value: datetime) -> str:
    if value.tzinfo is not None:
        raise ValueError("naive UTC datetimes only")
    return f"'{value:%Y-%m-%d %H:%M:%S.%f}'"


class Literals:
    """Renders rows of str, int, float, bool, None and naive datetime values for one statement."""

    def __init__(self, conn: Connection) -> None:
        self._escape = conn.connection.dbapi_connection.escape  # type: ignore[union-attr]
        self._strings: dict[str, str] = {}
        # One lookup and one call per value: this runs for every value of every reading.
        self._formats: dict[type, Callable[[Any], str]] = {
            float: float.__repr__,
            int: int.__repr__,
            str: self._string,
            type(None): _null,
            bool: _boolean,
            datetime: _timestamp,
        }

    def values(self, rows: Iterable[Sequence[object]]) -> str:
        """`(…),(…)` for these rows."""
        formats = self._formats
        return ",".join(f"({','.join([formats[type(v)](v) for v in row])})" for row in rows)

    def _string(self, value: str) -> str:
        quoted = self._strings.get(value)
        if quoted is None:
            quoted = self._strings[value] = self._escape(value).replace("%", "%%")
        return quoted
