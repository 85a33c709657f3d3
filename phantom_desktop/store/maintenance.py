"""Background upkeep of the database: finish the rollup backfill, then prune old raw readings.

One thread, owned by the composition root (window or `serve`), started after the store opens
and stopped on shutdown. Each unit of work is a short transaction of its own, so ingestion is
never held up for more than one step.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from sqlalchemy import Engine

from phantom_desktop.store import retention, rollup_backfill

log = logging.getLogger(__name__)

PRUNE_EVERY_S = 3600.0


class Maintenance:
    """Start it, change `retention_days` when the settings change, stop it."""

    def __init__(self, engine: Engine, retention_days: float = 0.0) -> None:
        self._engine = engine
        self.retention_days = retention_days
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.pruned = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="phantom-maintenance", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("maintenance did not stop within %.0f s", timeout)
        self._thread = None

    def prune_now(self) -> None:
        """Run a pruning pass soon (the retention setting changed)."""
        self._wake.set()

    def _run(self) -> None:
        try:
            finished = rollup_backfill.run(self._engine, self._log_progress, self._stop)
            if finished:
                log.info("rollups cover every stored reading")
            while not self._stop.is_set():
                if self.retention_days > 0:
                    deleted = retention.prune(
                        self._engine, self.retention_days, datetime.now(UTC), self._stop
                    )
                    self.pruned += deleted
                    if deleted:
                        log.info("deleted %d raw readings older than %g days", deleted,
                                 self.retention_days)  # fmt: skip
                self._wake.wait(PRUNE_EVERY_S)
                self._wake.clear()
        except Exception:
            log.exception("database maintenance failed; it resumes at the next start")

    @staticmethod
    def _log_progress(progress: rollup_backfill.BackfillProgress) -> None:
        log.info("rolling up stored readings: %.0f%%", progress.fraction * 100)
