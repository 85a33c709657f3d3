"""Which submissions of a batch the writer looks at, before any reading is judged.

Tokens are checked before ports: a submission with an unknown token costs no port lookup, and a
batch never looks up more than `MAX_UNKNOWN_PORTS` port ids that are not cached, so a flood of
made-up ids cannot make one transaction query millions of rows (the excess is answered 429).
Spooled submissions being replayed drop the readings already stored (exactly once).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from phantom_desktop.ingest.messages import Submission
from phantom_desktop.store import ingest_queries as sql
from phantom_desktop.store.lookups import Credential, device_key

MAX_UNKNOWN_PORTS = 2000
CROWDED_OUT = "Too many unknown ports in the readings waiting to be stored: retry"


def key_of(submission: Submission) -> str:
    """The credentials key of a submission (its token hash, or its serial device)."""
    return submission.token_hash or device_key(submission.device_id or "")


def ports_to_read(
    submissions: list[Submission],
    credentials: dict[str, Credential],
    is_cached: Callable[[str], bool],
    cap: int | None = None,
) -> tuple[set[str], set[int]]:
    """Port ids of the authenticated submissions, and the ids (`id()`) of those left out
    because their uncached ports would take the batch beyond `cap` (MAX_UNKNOWN_PORTS)."""
    cap = MAX_UNKNOWN_PORTS if cap is None else cap
    wanted: set[str] = set()
    unknown = 0
    crowded_out: set[int] = set()
    for submission in submissions:
        if key_of(submission) not in credentials:
            continue
        ids = {values.port_id for values in submission.readings} - wanted
        new = sum(1 for port_id in ids if not is_cached(port_id))
        if unknown + new > cap:
            crowded_out.add(id(submission))
            continue
        unknown += new
        wanted |= ids
    return wanted, crowded_out


def skip_stored(conn: Connection, replayed: list[Submission]) -> None:
    """Drop replayed readings that are already stored (the writer stopped after committing
    them but before the spool let them go)."""
    if replayed:
        keys = [(v.port_id, v.timestamp) for s in replayed for v in s.readings]
        stored = sql.stored_reading_keys(conn, keys)
        for submission in replayed:
            submission.readings = [
                v for v in submission.readings if (v.port_id, v.timestamp) not in stored
            ]
