"""Which database errors are worth retrying, and how long the writer keeps trying.

A deadlock, a lock wait timeout, a lost or refused connection (a server restart) or SQLite's
"database is locked" say nothing about the readings: the same transaction can succeed a moment
later on a fresh connection. The writer retries those with exponential backoff for up to
`RETRY_BUDGET_S`, so that a restart of a few seconds costs latency rather than refusals. Any
other error (a constraint, bad data) is about one submission: the writer isolates it instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StatementError,
)

RETRY_BUDGET_S = 20.0
FIRST_DELAY_S = 0.05
MAX_DELAY_S = 2.0

# MySQL/MariaDB error codes that mean "try again": lock wait timeout, deadlock, too many
# connections, server shutting down, can't connect, server gone away, lost connection,
# connection killed, client disconnected by the server.
_TRANSIENT_MYSQL_CODES = frozenset({1205, 1213, 1040, 1053, 2003, 2006, 2013, 1927, 4031})
_TRANSIENT_SQLITE_WORDS = ("locked", "busy", "disk i/o error", "unable to open")


def is_transient(exc: BaseException) -> bool:
    """True for errors a retry on a fresh connection can cure."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        args = getattr(exc.orig, "args", ())
        if args and isinstance(args[0], int):
            return args[0] in _TRANSIENT_MYSQL_CODES
        message = str(exc.orig).lower()  # SQLite has no codes here: its messages say it
        return any(words in message for words in _TRANSIENT_SQLITE_WORDS)
    return isinstance(exc, (ConnectionError, TimeoutError))


def about_the_data(exc: BaseException) -> bool:
    """Errors caused by some row of the batch (a port deleted meanwhile, a value the column
    refuses): retried on smaller parts of the batch to find and refuse that submission alone."""
    if isinstance(exc, (IntegrityError, DataError)):
        return True
    if isinstance(exc, StatementError) and not isinstance(exc, DBAPIError):
        return True  # a parameter the driver could not bind
    return isinstance(exc, (ValueError, UnicodeError))


def backoff_delays(budget_s: float = RETRY_BUDGET_S) -> Iterator[float]:
    """Delays before each retry: 0.05 s doubling to 2 s, until `budget_s` is spent."""
    delay, spent = FIRST_DELAY_S, 0.0
    while spent + delay <= budget_s:
        yield delay
        spent += delay
        delay = min(delay * 2, MAX_DELAY_S)


def first_line(exc: BaseException) -> str:
    """An error in one log line (drivers' messages run on with the SQL and its parameters)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"[:300]
