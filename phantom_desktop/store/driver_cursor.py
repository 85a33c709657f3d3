"""The driver's own cursor for the writer's per-batch statements, with SQLAlchemy's errors.

`Connection.exec_driver_sql` builds a result object for every statement; for the statements
of every batch (the readings' INSERT, SQLite's data_version) that was a good part of the
writer's time under the GIL. A driver error is raised as SQLAlchemy's `DBAPIError` subclass
(IntegrityError, OperationalError, …), as `exec_driver_sql` would, so the commit loop's
retries and per-submission isolation see the same exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


@contextmanager
def driver_cursor(conn: Connection) -> Iterator[Any]:
    """A DBAPI cursor on the connection (in its transaction), closed afterwards."""
    dbapi_connection = conn.connection
    cursor = dbapi_connection.cursor()
    base = conn.dialect.loaded_dbapi.Error
    try:
        yield cursor
    except base as exc:
        invalidated = conn.dialect.is_disconnect(exc, dbapi_connection.dbapi_connection, cursor)
        raise DBAPIError.instance(
            None, None, exc, base, connection_invalidated=invalidated, dialect=conn.dialect
        ) from exc
    finally:
        cursor.close()
