"""How the writer gets a batch committed: retries, isolation of a failing submission, spooling.

- A transient error (server restart, deadlock, lock wait timeout, lost connection) is retried
  on a fresh connection with backoff (`transient`); with a spool, an outage that lasts longer
  than `spooling.OUTAGE_AFTER_S` puts the items in the spool instead.
- An error caused by some row of the batch (a port deleted while its device sends) splits the
  batch in halves until the failing submission is alone: it alone gets 503.
- MySQL without RETURNING whose ids interleaved with another connection's: once more, one by one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from phantom_desktop.ingest.batch import Batch, fail
from phantom_desktop.ingest.spooling import Outage
from phantom_desktop.ingest.transient import (
    about_the_data,
    backoff_delays,
    first_line,
    is_transient,
)
from phantom_desktop.store.ingest_queries import IdsNotConsecutive

log = logging.getLogger(__name__)

Attempt = Callable[[list[object], bool], Batch]  # one transaction: (items, one_by_one) -> batch


def commit(
    items: list[object],
    attempt: Attempt,
    deliver: Callable[[Batch], None],
    outage: Outage,
    replaying: bool = False,
) -> bool:
    """Commit and deliver the items; False when the database is unreachable (with a spool the
    items are then spooled, unless `replaying`, when they are spooled already)."""
    delays, started = backoff_delays(), time.monotonic()
    one_by_one = False
    while True:
        try:
            batch = attempt(items, one_by_one)
        except Exception as exc:
            if isinstance(exc, IdsNotConsecutive) and not one_by_one:
                one_by_one = True
                continue
            if is_transient(exc) and outage.gives_up(started):
                if not replaying:
                    outage.keep(items)
                return False
            if is_transient(exc) and (delay := next(delays, None)) is not None:
                log.warning("database error, retrying in %.2f s: %s", delay, first_line(exc))
                time.sleep(delay)
                continue
            if len(items) > 1 and about_the_data(exc):
                middle = len(items) // 2
                first = commit(items[:middle], attempt, deliver, outage, replaying)
                return commit(items[middle:], attempt, deliver, outage, replaying) and first
            if replaying and not about_the_data(exc):  # kept in the spool for later
                log.error("replaying the spool failed: %s", first_line(exc))
                return False
            if isinstance(exc, SQLAlchemyError):
                log.error("writing %d items failed: %s", len(items), first_line(exc))
            else:  # a bug: its traceback helps
                log.exception("writing %d items failed", len(items))
            fail(items, exc)
            return True
        deliver(batch)
        return True
