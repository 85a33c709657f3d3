"""The VALUES list of a multi-row INSERT, for the writer's hot statements (readings, rollups).

One statement per batch rather than executemany, which steps the statement (and releases the
GIL) once per row. On SQLite the values are bound as qmark parameters, in C. On MySQL/MariaDB
they are rendered as SQL text (`Literals`): PyMySQL escapes each bound value in Python, and the
writer binds about 26 values per reading (its row and two rollup rows), which made the rollups
cost a fifth of MariaDB's ingest rate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from phantom_desktop.store.sql_time import dialect_name

# Values per statement: under SQLite's 32,766 bound parameters and MariaDB's packet limit.
MAX_VALUES = 6000


def values_lists(
    conn: Connection, rows: Sequence[Sequence[object]]
) -> Iterator[tuple[str, tuple[object, ...]]]:
    """For each chunk of these equally wide rows: its `(…),(…)` text and the parameters to
    execute the statement with."""
    if not rows:
        return
    width = len(rows[0])
    step = max(1, MAX_VALUES // width)
    literals = None if dialect_name(conn) == "sqlite" else Literals(conn)
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        if literals is None:
            yield _placeholders(width, len(chunk)), tuple(v for row in chunk for v in row)
        else:
            yield literals.values(chunk), ()


@lru_cache(maxsize=64)
def _placeholders(width: int, rows: int) -> str:
    return ",".join([f"({','.join(['?'] * width)})"] * rows)


def _null(_value: object) -> str:
    return "NULL"


def _timestamp(value: datetime) -> str:
    if value.tzinfo is not None:
        raise ValueError("naive UTC datetimes only")
    return f"'{value:%Y-%m-%d %H:%M:%S.%f}'"


class Literals:
    """Renders rows of str, int, float, None and naive datetime values as MySQL text.

    Numbers are written with `repr` (exact for floats, as PyMySQL writes them too), datetimes
    as text, and each distinct string once through the connection's own escaping, which follows
    its character set and SQL mode. The text goes through SQLAlchemy (errors keep their types
    for the retry logic) with no parameters, so a `%` in a string is doubled for PyMySQL's
    formatting step.
    """

    def __init__(self, conn: Connection) -> None:
        self._escape = conn.connection.dbapi_connection.escape  # type: ignore[union-attr]
        self._strings: dict[str, str] = {}
        # One lookup and one call per value: this runs for every value of every reading.
        self._formats: dict[type, Callable[[Any], str]] = {
            float: float.__repr__,
            int: int.__repr__,
            str: self._string,
            type(None): _null,
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
