"""The garbage collector's settings for a long-running process (`serve`, the window).

Ingestion allocates dozens of short-lived container objects per reading (aiohttp's request and
response, the writer's rows and outcomes). At CPython's default threshold, a young collection
every 700 net allocations, that meant 50–90 collections a second under load, and every tenth
collection of the middle generation a full one that scanned the ~100,000 objects startup left
(modules, classes, SQLAlchemy's caches), which are never garbage: tens of milliseconds each,
holding the GIL that the HTTP server, the writer and the window share. bench/ingest.py measures
the difference (README, "Performance").
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def settle_after_startup() -> None:
    """Call once, when startup is done: collect its garbage, freeze what is left (never scanned
    again) and collect the young generation every `YOUNG_THRESHOLD` allocations."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
